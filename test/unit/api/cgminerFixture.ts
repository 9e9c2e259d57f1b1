import { DaemonControl } from '../../../src/app/control';
import { validateConfigText } from '../../../src/config/validate';
import type { ChainStatus, DaemonStatus, RateWindows } from '../../../src/core/minerApi';

/** A DaemonStatus shaped like a running L3+ (4 boards × 72 chips), for the :4028 tests. */
export function rates(mhs: number): RateWindows {
  const f = { hps: mhs * 1e6, rel_err: 0.01 };
  return { '5s': f, '1m': f, '15m': f, total: f };
}

export function chain(index: number, mhs: number, found = 72, silent: number[] = []): ChainStatus {
  return { index, chips_expected: 72, chips_found: found, nonces: 1000 + index, hw_errors: 3 * index, crc_errors: 0, silent_chips: silent, freq_mhz: 425, ticket_difficulty: 64, hashrate: rates(mhs) };
}

export function l3Status(opts: { thermal?: boolean; power?: boolean } = {}): DaemonStatus {
  const chains = [chain(0, 138.5), chain(1, 138.85), chain(2, 137.72, 70, [5]), chain(3, 0, 0)];
  const s: DaemonStatus = {
    version: '0.1.0', uptime_s: 3600, state: 'mining', device_id: 'abc',
    hashboards: { backend: 'sim', model: 'l3plus', simulated: true, pow: 'scrypt' },
    hashrate: { chips: rates(415.07), pool_accepted: null },
    shares: { submitted: 110, accepted: 100, rejected: { stale: 2, other: 3 }, not_submitted: {} },
    pools: [
      { name: 'main', url: 'stratum+tcp://litecoinpool.org:3333', state: 'ready', active: true, difficulty: 65536, latency_ms: 40, accepted: 100, rejected: 5 },
      { name: 'backup', url: 'stratum+tcp://us.litecoinpool.org:3333', state: 'idle', active: false, difficulty: null, latency_ms: null, accepted: 0, rejected: 0 },
    ],
    chains,
    components: [],
  };
  if (opts.thermal) {
    s.thermal = { mode: 'auto', target_c: 70, hot_c: 85, dangerous_c: 95,
      boards: chains.map((c) => ({ index: c.index, chip_temp_c: 46 - c.index, board_temp_c: 37 - c.index, state: 'ok' as const, throttle_pct: 0 })),
      fans: [{ index: 0, rpm: 3180, duty_pct: 60, ok: true }, { index: 1, rpm: 3090, duty_pct: 60, ok: true }],
      interlock: { armed: true, trips: 0, last_trip: null } };
  }
  if (opts.power) {
    s.power = { boards: chains.map((c) => ({ index: c.index, enabled: true, voltage_v: 9.44, watts: 187.5, measured: false })), wall_w: 800, measured: false, energy_kwh: 1, limit_w: null };
  }
  return s;
}

/** A real DaemonControl whose pool commands act on the fixture's pool list (the mining side is the boundary). */
export function controlFor(status: DaemonStatus) {
  const calls: string[] = [];
  const { config } = validateConfigText(JSON.stringify({ version: 1, pools: [
    { name: 'main', url: 'stratum+tcp://litecoinpool.org:3333', user: 'user.4', password: 'hunter2' },
    { name: 'backup', url: 'stratum+tcp://us.litecoinpool.org:3333', user: 'user.5', password: 'hunter2', priority: 1 },
  ] }), 'test');
  const control = new DaemonControl({
    status: () => status,
    config: () => config,
    chips: () => [{ chain: 0, chip: 0, freq_mhz: 425, nonces: 10, hw_errors: 0, hashrate: rates(1.9), health: 'ok', last_nonce_ms: 1 }],
    switchPool: async (n) => { calls.push(`switch ${n}`); return `switched to ${n}`; },
    enablePool: async (n) => { calls.push(`enable ${n}`); return 'ok'; },
    disablePool: async (n) => { calls.push(`disable ${n}`); return 'ok'; },
    removePool: async (n) => { calls.push(`remove ${n}`); return 'ok'; },
    addPool: async (p) => { calls.push(`add ${p.url} ${p.user} ${p.password ?? ''}`); return 'ok'; },
    poolPriority: async (names) => { calls.push(`priority ${names.join(',')}`); return 'ok'; },
    restart: async () => { calls.push('restart'); return 'ok'; },
  });
  return { control, calls };
}
