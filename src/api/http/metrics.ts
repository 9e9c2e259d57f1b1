import { REJECT_CLASSES, type DaemonStatus } from '../../core/minerApi';
import { economicsFamilies } from './economicsMetrics';

/**
 * Prometheus text exposition (format 0.0.4) of one status snapshot, following conventions 2.9:
 * prefix `kabosu_`, base units in names (hertz, celsius, watts, seconds; fan `_rpm` is the one
 * documented exception), `_total` counters,
 * bounded labels only (chain index, pool name, fan index, fixed reasons; per-chip series are not
 * exported). Pure: the caller appends prom-client's process_/nodejs_ metrics.
 */
type Labels = Record<string, string | number>;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels: Labels; value: number }[];
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderFamilies(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    out.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const keys = Object.keys(s.labels);
      const lbl = keys.length ? `{${keys.map((k) => `${k}="${esc(String(s.labels[k]))}"`).join(',')}}` : '';
      out.push(`${f.name}${lbl} ${fmt(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}

function reasonLabel(r: string): string {
  return (REJECT_CLASSES as readonly string[]).includes(r) ? r : 'other';
}

export function statusFamilies(s: DaemonStatus, meta: { commit?: string; chipFamily?: string } = {}): Family[] {
  const fam = (name: string, type: Family['type'], help: string, samples: Family['samples']): Family => ({ name: `kabosu_${name}`, type, help, samples });
  const chains = s.chains;
  const rejected = new Map<string, number>();
  for (const [k, v] of Object.entries(s.shares.rejected)) rejected.set(reasonLabel(k), (rejected.get(reasonLabel(k)) ?? 0) + v);
  const families: Family[] = [
    fam('build_info', 'gauge', 'Build and board metadata (value is always 1).', [
      { labels: { version: s.version, commit: meta.commit ?? 'unknown', board: s.hashboards.model ?? 'none', chip_family: meta.chipFamily ?? 'unknown' }, value: 1 },
    ]),
    fam('uptime_seconds', 'gauge', 'Seconds since the daemon started.', [{ labels: {}, value: s.uptime_s }]),
    fam('mining', 'gauge', '1 while chips return nonces for pool work.', [{ labels: {}, value: s.state === 'mining' ? 1 : 0 }]),
    fam('hashrate_hashes_per_second', 'gauge', "The firmware's hashrate from chip nonces (window 5s, 1m, 15m).", [
      ...(['5s', '1m', '15m'] as const).map((w) => ({ labels: { chain: 'all', window: w }, value: s.hashrate.chips[w].hps })),
      ...chains.flatMap((c) => (['5s', '1m', '15m'] as const).map((w) => ({ labels: { chain: c.index, window: w }, value: c.hashrate[w].hps }))),
    ]),
    fam('pool_accepted_hashes_per_second', 'gauge', 'Hashrate credited by the pool (accepted share difficulty, 15m).', s.hashrate.pool_accepted ? [{ labels: {}, value: s.hashrate.pool_accepted.hps }] : []),
    fam('nonces_total', 'counter', 'Valid nonces returned by the chips.', chains.map((c) => ({ labels: { chain: c.index }, value: c.nonces }))),
    fam('hardware_errors_total', 'counter', 'Nonces that failed host verification.', chains.map((c) => ({ labels: { chain: c.index }, value: c.hw_errors }))),
    fam('uart_crc_errors_total', 'counter', 'Chip responses with bad CRC or framing.', chains.map((c) => ({ labels: { chain: c.index }, value: c.crc_errors }))),
    fam('chain_chips', 'gauge', 'Chips found on the chain.', chains.map((c) => ({ labels: { chain: c.index }, value: c.chips_found }))),
    fam('chain_chips_expected', 'gauge', 'Chips the board definition expects.', chains.map((c) => ({ labels: { chain: c.index }, value: c.chips_expected }))),
    fam('chain_frequency_hertz', 'gauge', 'Chain PLL frequency.', chains.filter((c) => c.freq_mhz !== null).map((c) => ({ labels: { chain: c.index }, value: (c.freq_mhz as number) * 1e6 }))),
    // Every result series exists from the first scrape, at 0: an alert on `increase(...) > 0`
    // sees the first reject as a 0 -> 1 change instead of a series appearing (docs/http-api.md).
    fam('shares_total', 'counter', 'Shares by result.', [
      { labels: { result: 'accepted' }, value: s.shares.accepted },
      ...REJECT_CLASSES.map((reason) => ({ labels: { result: 'rejected', reason }, value: rejected.get(reason) ?? 0 })),
    ]),
    fam('shares_submitted_total', 'counter', 'Shares sent to a pool.', [{ labels: {}, value: s.shares.submitted }]),
    fam('pool_up', 'gauge', '1 when the pool connection is up.', s.pools.map((p) => ({ labels: { pool: p.name }, value: p.state === 'ready' ? 1 : 0 }))),
    fam('pool_active', 'gauge', '1 for the pool being mined.', s.pools.map((p) => ({ labels: { pool: p.name }, value: p.active ? 1 : 0 }))),
    fam('pool_difficulty', 'gauge', 'Share difficulty set by the pool.', s.pools.filter((p) => p.difficulty !== null).map((p) => ({ labels: { pool: p.name }, value: p.difficulty as number }))),
    // Sums of the pool difficulty shares were submitted at (cgminer's Difficulty Accepted/Rejected/
    // Stale; stale is a subset of rejected): rate() of the accepted series * 65536 is the hashrate
    // the pool credits.
    fam('pool_share_difficulty_total', 'counter', 'Sum of the pool difficulty of shares, by pool and result (stale is part of rejected).', s.pools.filter((p) => p.difficulty_accepted !== undefined).flatMap((p) => [
      { labels: { pool: p.name, result: 'accepted' }, value: p.difficulty_accepted ?? 0 },
      { labels: { pool: p.name, result: 'rejected' }, value: p.difficulty_rejected ?? 0 },
      { labels: { pool: p.name, result: 'stale' }, value: p.difficulty_stale ?? 0 },
    ])),
    fam('pool_latency_seconds', 'gauge', 'Smoothed submit-to-response latency.', s.pools.filter((p) => p.latency_ms !== null).map((p) => ({ labels: { pool: p.name }, value: (p.latency_ms as number) / 1000 }))),
    fam('pool_shares_total', 'counter', 'Shares by pool and result.', s.pools.flatMap((p) => [
      { labels: { pool: p.name, result: 'accepted' }, value: p.accepted },
      { labels: { pool: p.name, result: 'rejected' }, value: p.rejected },
    ])),
  ];
  const t = s.thermal;
  if (t) {
    families.push(
      fam('chip_temperature_celsius', 'gauge', 'Hottest chip-side reading per board.', t.boards.filter((b) => b.chip_temp_c !== null).map((b) => ({ labels: { chain: b.index }, value: b.chip_temp_c as number }))),
      fam('board_temperature_celsius', 'gauge', 'Board (PCB) reading.', t.boards.filter((b) => b.board_temp_c !== null).map((b) => ({ labels: { chain: b.index }, value: b.board_temp_c as number }))),
      fam('thermal_throttle_ratio', 'gauge', 'Frequency reduction by the thermal policy, 0-1.', t.boards.map((b) => ({ labels: { chain: b.index }, value: b.throttle_pct / 100 }))),
      // Prometheus' base-unit table has no rotational speed; `_rpm` follows node_exporter's
      // node_hwmon_fan_rpm, the name fan dashboards already use (decision in docs/http-api.md).
      fam('fan_speed_rpm', 'gauge', 'Fan speed from the tachometer, revolutions per minute.', t.fans.filter((f) => f.rpm !== null).map((f) => ({ labels: { fan: f.index }, value: f.rpm as number }))),
      fam('fan_duty_ratio', 'gauge', 'Commanded fan duty, 0-1.', t.fans.map((f) => ({ labels: { fan: f.index }, value: f.duty_pct / 100 }))),
      fam('interlock_trips_total', 'counter', 'Safety interlock trips since start.', [{ labels: {}, value: t.interlock.trips }]),
    );
  }
  const p = s.power;
  if (p) {
    families.push(
      fam('power_watts', 'gauge', 'Power at the wall (measured or estimated; see kabosu_power_measured).', p.wall_w === null ? [] : [{ labels: {}, value: p.wall_w }]),
      fam('power_measured', 'gauge', '1 when power comes from hardware readback, 0 when estimated.', [{ labels: {}, value: p.measured ? 1 : 0 }]),
      fam('energy_joules_total', 'counter', 'Energy used, persisted across restarts.', [{ labels: {}, value: p.energy_kwh * 3.6e6 }]),
      fam('chain_voltage_volts', 'gauge', 'Board supply voltage.', p.boards.filter((b) => b.voltage_v !== null).map((b) => ({ labels: { chain: b.index }, value: b.voltage_v as number }))),
      fam('chain_power_watts', 'gauge', 'Board power.', p.boards.filter((b) => b.watts !== null).map((b) => ({ labels: { chain: b.index }, value: b.watts as number }))),
      fam('chain_powered', 'gauge', '1 when the board is powered.', p.boards.map((b) => ({ labels: { chain: b.index }, value: b.enabled ? 1 : 0 }))),
    );
  }
  families.push(...economicsFamilies(s.economics));
  return families;
}

export function renderStatusMetrics(s: DaemonStatus, meta: { commit?: string; chipFamily?: string } = {}): string {
  return renderFamilies(statusFamilies(s, meta));
}
