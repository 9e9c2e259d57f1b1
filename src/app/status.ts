import type { DaemonStatus, HashrateFigure } from '../core/minerApi';

export type { DaemonStatus, HashrateFigure, ChainStatus, PoolStatus } from '../core/minerApi';

function rate(f: HashrateFigure): string {
  const units: [number, string][] = [
    [1e12, 'TH/s'],
    [1e9, 'GH/s'],
    [1e6, 'MH/s'],
    [1e3, 'kH/s'],
  ];
  const [div, unit] = units.find(([d]) => f.hps >= d) ?? [1, 'H/s'];
  const err = f.rel_err === null ? '' : ` ±${(f.rel_err * 100).toFixed(1)}%`;
  return `${(f.hps / div).toFixed(2)} ${unit}${err}`;
}

/** Human rendering of a status snapshot (the default of `kabosu status`). */
export function formatStatus(s: DaemonStatus): string {
  const lines: string[] = [];
  lines.push(`kabosu ${s.version} on ${s.device_id}: ${s.state}, up ${Math.round(s.uptime_s)} s`);
  const hb = s.hashboards;
  lines.push(`hash boards: ${hb.backend}${hb.model ? ` ${hb.model}` : ''}${hb.simulated ? ' (simulated)' : ''}${hb.pow ? `, pow ${hb.pow}` : ''}${hb.note ? ` — ${hb.note}` : ''}`);
  lines.push(`hashrate (chips): 5s ${rate(s.hashrate.chips['5s'])} | 1m ${rate(s.hashrate.chips['1m'])} | 15m ${rate(s.hashrate.chips['15m'])}`);
  if (s.hashrate.pool_accepted) lines.push(`hashrate (pool accepted): ${rate(s.hashrate.pool_accepted)}`);
  const rej = Object.entries(s.shares.rejected).map(([k, v]) => `${k} ${v}`).join(', ');
  lines.push(`shares: ${s.shares.accepted} accepted, ${Object.values(s.shares.rejected).reduce((a, b) => a + b, 0)} rejected${rej ? ` (${rej})` : ''}`);
  for (const p of s.pools) {
    lines.push(`pool ${p.name}${p.active ? ' *' : ''}: ${p.state} ${p.url} diff ${p.difficulty ?? '-'} latency ${p.latency_ms === null ? '-' : p.latency_ms.toFixed(1)} ms`);
  }
  for (const c of s.chains) {
    lines.push(
      `chain ${c.index}: ${c.chips_found}/${c.chips_expected} chips, ${rate(c.hashrate['1m'])}, nonces ${c.nonces}, hw ${c.hw_errors}, crc ${c.crc_errors}${c.silent_chips.length ? `, silent ${c.silent_chips.join(',')}` : ''}`,
    );
  }
  const bad = s.components.filter((c) => c.state !== 'running');
  if (bad.length) lines.push(`components not running: ${bad.map((c) => `${c.name} (${c.state}${c.error ? `: ${c.error}` : ''})`).join(', ')}`);
  return lines.join('\n') + '\n';
}
