import type { ChainStatus, ChipStatus, DaemonStatus, HashrateFigure, PoolStatus, ThermalStatus, PowerStatus } from '../../core/minerApi';
import type { Style } from '../style';

/** Plain-text renderings of the daemon's status for the console; pure. */
export function rate(f: HashrateFigure | undefined): string {
  if (!f) return '-';
  const units: [number, string][] = [
    [1e12, 'TH/s'],
    [1e9, 'GH/s'],
    [1e6, 'MH/s'],
    [1e3, 'kH/s'],
  ];
  const [div, unit] = units.find(([d]) => f.hps >= d) ?? [1, 'H/s'];
  return `${(f.hps / div).toFixed(2)} ${unit}`;
}

const n = (v: number | null | undefined, digits = 0, unit = ''): string => (v === null || v === undefined ? '-' : `${v.toFixed(digits)}${unit}`);

// eslint-disable-next-line no-control-regex
const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Columns padded to their widest cell (colour escapes not counted); no terminal width assumed. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => visible(r[i] ?? ''))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - visible(c)))).join('  ').trimEnd()).join('\n') + '\n';
}

export function statusView(s: DaemonStatus, st: Style): string {
  const stateStyled = s.state === 'mining' ? st.ok(s.state) : s.state === 'paused' || s.state === 'waiting-for-work' ? st.warn(s.state) : st.bad(s.state);
  const lines = [
    `${s.device_id}  kabosu ${s.version}  ${stateStyled}  up ${Math.round(s.uptime_s)} s`,
    `boards   ${s.hashboards.backend}${s.hashboards.model ? ' ' + s.hashboards.model : ''}${s.hashboards.simulated ? ' (simulated)' : ''}`,
    `hashrate 5s ${rate(s.hashrate.chips['5s'])}  1m ${rate(s.hashrate.chips['1m'])}  15m ${rate(s.hashrate.chips['15m'])}`,
    `shares   ${s.shares.accepted} accepted, ${Object.values(s.shares.rejected).reduce((a, b) => a + b, 0)} rejected`,
  ];
  const active = s.pools.find((p) => p.active);
  lines.push(`pool     ${active ? `${active.name} ${active.state}` : 'none active'}`);
  if (s.thermal) {
    const hot = Math.max(...s.thermal.boards.map((b) => b.chip_temp_c ?? -Infinity));
    lines.push(`thermal  ${s.thermal.mode}, hottest ${Number.isFinite(hot) ? hot.toFixed(1) + ' C' : '-'}, interlock ${s.thermal.interlock.armed ? st.ok('armed') : st.bad('NOT ARMED')}, trips ${s.thermal.interlock.trips}`);
  }
  if (s.power) lines.push(`power    ${n(s.power.wall_w, 0, ' W')}${s.power.measured ? '' : ' (estimated)'}`);
  const bad = s.components.filter((c) => c.state !== 'running');
  if (bad.length) lines.push(st.warn(`not running: ${bad.map((c) => `${c.name} (${c.state}${c.error ? ': ' + c.error : ''})`).join(', ')}`));
  return lines.join('\n') + '\n';
}

export function chainsView(chains: ChainStatus[]): string {
  if (chains.length === 0) return 'no chains\n';
  return table([
    ['chain', 'chips', 'freq', 'hashrate 1m', 'nonces', 'hw', 'crc', 'silent'],
    ...chains.map((c) => [String(c.index), `${c.chips_found}/${c.chips_expected}`, n(c.freq_mhz, 0, ' MHz'), rate(c.hashrate['1m']), String(c.nonces), String(c.hw_errors), String(c.crc_errors), c.silent_chips.join(',') || '-']),
  ]);
}

export function chipView(c: ChipStatus, thermal: ThermalStatus | undefined): string {
  const board = thermal?.boards.find((b) => b.index === c.chain);
  const p = c.freq_plan;
  return (
    [
      `chain ${c.chain} chip ${c.chip}: ${c.health}`,
      `frequency   ${n(c.freq_mhz, 0, ' MHz')}${p ? ` (base ${p.base_mhz}, cap ${p.cap_mhz ?? '-'}, scale ${p.scale}, running ${n(p.running_mhz, 0)})` : ''}`,
      `nonces      ${c.nonces}`,
      `hw errors   ${c.hw_errors}`,
      `hashrate    1m ${rate(c.hashrate['1m'])}, 15m ${rate(c.hashrate['15m'])}`,
      `last nonce  ${c.last_nonce_ms === null ? 'never' : `at ${(c.last_nonce_ms / 1000).toFixed(1)} s on the daemon's clock`}`,
      `temperature ${board && board.chip_temp_c !== null ? `${board.chip_temp_c.toFixed(1)} C (board ${c.chain}'s hottest chip sensor; no per-chip reading)` : 'not known'}`,
    ].join('\n') + '\n'
  );
}

export function tempsView(t: ThermalStatus | undefined, st: Style): string {
  if (!t) return 'thermal control is not running\n';
  return (
    `mode ${t.mode}, target ${t.target_c} C, hot ${t.hot_c} C, dangerous ${t.dangerous_c} C\n` +
    table([
      ['board', 'chip C', 'board C', 'state', 'throttle'],
      ...t.boards.map((b) => [String(b.index), n(b.chip_temp_c, 1), n(b.board_temp_c, 1), b.state === 'ok' ? st.ok(b.state) : st.bad(b.state), `${b.throttle_pct.toFixed(0)} %`]),
    ]) +
    `interlock ${t.interlock.armed ? 'armed' : 'NOT ARMED'}${t.interlock.worker ? `, worker ${t.interlock.worker}` : ''}, trips ${t.interlock.trips}${t.interlock.last_trip ? `, last: ${t.interlock.last_trip.reason} (${t.interlock.last_trip.message})` : ''}\n`
  );
}

export function fansView(t: ThermalStatus | undefined): string {
  if (!t) return 'thermal control is not running\n';
  return `mode ${t.mode}\n` + table([['fan', 'rpm', 'duty', 'ok'], ...t.fans.map((f) => [String(f.index), n(f.rpm), `${f.duty_pct.toFixed(0)} %`, f.ok ? 'yes' : 'NO'])]);
}

export function powerView(p: PowerStatus | undefined): string {
  if (!p) return 'power readback is not running\n';
  return (
    `wall ${n(p.wall_w, 0, ' W')}${p.measured ? ' measured' : ' estimated'}, energy ${p.energy_kwh.toFixed(3)} kWh, limit ${n(p.limit_w, 0, ' W')}\n` +
    table([['board', 'enabled', 'voltage', 'watts', 'source'], ...p.boards.map((b) => [String(b.index), b.enabled ? 'yes' : 'no', n(b.voltage_v, 2, ' V'), n(b.watts, 0, ' W'), b.measured ? 'measured' : 'model'])])
  );
}

export function poolsView(pools: PoolStatus[]): string {
  if (pools.length === 0) return 'no pools configured\n';
  const rows = [['pool', 'state', 'latency', 'diff', 'accepted', 'rejected', 'url'], ...pools.map((p) => [`${p.name}${p.active ? ' *' : ''}`, p.state, n(p.latency_ms, 1, ' ms'), n(p.difficulty), String(p.accepted), String(p.rejected), p.url])];
  const errs = pools.filter((p) => p.last_reject).map((p) => `${p.name}: last error ${p.last_reject!.class} "${p.last_reject!.text}" at ${new Date(p.last_reject!.at_ms).toISOString()}`);
  return table(rows) + (errs.length ? errs.join('\n') + '\n' : 'no pool errors\n');
}
