import { DaemonControl, type ControlParts } from '../../../src/app/control';
import { devConfig } from '../../../src/app/devConfig';
import { validateConfigData } from '../../../src/config';
import type { DaemonStatus, RateWindows } from '../../../src/core/minerApi';

const rate = (hps: number): RateWindows => ({ '5s': { hps, rel_err: 0.01 }, '1m': { hps, rel_err: 0.01 }, '15m': { hps, rel_err: 0.01 }, total: { hps, rel_err: 0.01 } });

export function sampleStatus(over: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    version: '0.1.0', uptime_s: 123.4, state: 'mining', device_id: 'm1',
    hashboards: { backend: 'sim', model: 'l3plus', simulated: true, pow: 'scrypt-sim' },
    hashrate: { chips: rate(504e6), pool_accepted: { hps: 480e6, rel_err: 0.05 } },
    shares: { submitted: 10, accepted: 9, rejected: { stale: 1 }, not_submitted: {} },
    pools: [{ name: 'main', url: 'stratum+tcp://user:pw@pool.example:3333', state: 'alive', active: true, difficulty: 512, latency_ms: 20, accepted: 9, rejected: 1 }],
    chains: [0, 1, 2, 3].map((index) => ({ index, chips_expected: 72, chips_found: 72, nonces: 100, hw_errors: 0, crc_errors: 0, silent_chips: [], freq_mhz: 384, ticket_difficulty: 64, hashrate: rate(126e6) })),
    components: [],
    thermal: {
      mode: 'auto', target_c: 75, hot_c: 85, dangerous_c: 95,
      boards: [{ index: 0, chip_temp_c: 71.26, board_temp_c: 60, state: 'ok', throttle_pct: 0 }],
      fans: [{ index: 0, rpm: 4200, duty_pct: 60, ok: true }, { index: 1, rpm: 4180, duty_pct: 60, ok: true }],
      interlock: { armed: true, trips: 0, last_trip: null },
    },
    power: { boards: [], wall_w: 800, measured: false, energy_kwh: 1, limit_w: null },
    ...over,
  };
}

export function control(parts: Partial<ControlParts> = {}, status: () => DaemonStatus = () => sampleStatus()): DaemonControl {
  const cfg = validateConfigData(devConfig(), 'dev').config;
  return new DaemonControl({ status, config: () => cfg, ...parts });
}
