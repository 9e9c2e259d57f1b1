import type { DaemonStatus } from '../../src/core/minerApi';

/** A realistic L3+ status snapshot (4 chains, 2 pools, thermal and power) for API benchmarks. */
export function benchStatus(): DaemonStatus {
  const fig = (hps: number) => ({ hps, rel_err: 0.02 });
  const win = (hps: number) => ({ '5s': fig(hps), '1m': fig(hps), '15m': fig(hps), total: fig(hps) });
  return {
    version: '0.1.0', uptime_s: 3600, state: 'mining', device_id: 'bench',
    hashboards: { backend: 'sim', model: 'l3plus', simulated: true, pow: 'scrypt-sim' },
    hashrate: { chips: win(504e6), pool_accepted: fig(498e6) },
    shares: { submitted: 7200, accepted: 7190, rejected: { stale: 6, duplicate: 1 }, not_submitted: {} },
    pools: [0, 1].map((i) => ({ name: `pool${i}`, url: `stratum+tcp://pool${i}.example:3333`, state: 'ready', active: i === 0, difficulty: 4096, latency_ms: 12.5, accepted: i ? 0 : 7190, rejected: 7 })),
    chains: [0, 1, 2, 3].map((index) => ({ index, chips_expected: 72, chips_found: 72, nonces: 180000, hw_errors: 12, crc_errors: 0, silent_chips: [], freq_mhz: 384, ticket_difficulty: 64, hashrate: win(126e6) })),
    components: ['control-socket', 'sim-boards', 'mining', 'health', 'tuning', 'history', 'http-api'].map((name) => ({ name, critical: name === 'control-socket', state: 'running' })),
    thermal: { mode: 'auto', target_c: 75, hot_c: 85, dangerous_c: 95, boards: [0, 1, 2, 3].map((index) => ({ index, chip_temp_c: 74, board_temp_c: 55, state: 'ok' as const, throttle_pct: 0 })), fans: [0, 1].map((index) => ({ index, rpm: 3600, duty_pct: 60, ok: true })), interlock: { armed: true, trips: 0, last_trip: null } },
    power: { boards: [0, 1, 2, 3].map((index) => ({ index, enabled: true, voltage_v: 9.9, watts: 190, measured: false })), wall_w: 795, measured: true, energy_kwh: 12.5, limit_w: null },
  };
}
