/**
 * Light simulated miners for fleet tests and the telemetry bench: no chips, no simulator, just a
 * MinerControl whose status looks like a 4-chain L3+ (seeded per miner, slowly varying with time).
 * Commands other than status answer KBS_E_NOT_AVAILABLE, as an unplugged part does.
 */
import { TypedEmitter } from '../../src/core/events';
import { KabosuError } from '../../src/core/errors';
import type { DaemonStatus, MinerControl, MinerEvents, RateWindows } from '../../src/core/minerApi';

const na = async (): Promise<never> => { throw new KabosuError('KBS_E_NOT_AVAILABLE', 'light miner has no such part'); };
const rate = (hps: number): RateWindows => ({ '5s': { hps, rel_err: 0.02 }, '1m': { hps, rel_err: 0.01 }, '15m': { hps, rel_err: 0.005 }, total: { hps, rel_err: 0.001 } });

export function lightStatus(i: number, nowMs: number, startMs: number): DaemonStatus {
  const wobble = Math.sin(nowMs / 7000 + i);
  const hps = 504e6 * (1 + 0.03 * wobble);
  const up = (nowMs - startMs) / 1000;
  const shares = Math.floor(up / 2);
  return {
    version: '0.1.0', uptime_s: up, state: 'mining', device_id: `fleet-${i}`,
    hashboards: { backend: 'sim', model: 'l3plus', simulated: true, pow: null, note: 'light fleet miner' },
    hashrate: { chips: rate(hps), pool_accepted: { hps: hps * 0.98, rel_err: 0.05 } },
    shares: { submitted: shares, accepted: shares, rejected: {}, not_submitted: {} },
    pools: [{ name: 'main', url: 'stratum+tcp://pool.example:3333', state: 'ready', active: true, difficulty: 4096, latency_ms: 25, accepted: shares, rejected: 0 },
      { name: 'backup', url: 'stratum+tcp://backup.example:3333', state: 'idle', active: false, difficulty: null, latency_ms: null, accepted: 0, rejected: 0 }],
    chains: [0, 1, 2, 3].map((index) => ({ index, chips_expected: 72, chips_found: 72, nonces: shares * 8, hw_errors: 0, crc_errors: 0, silent_chips: [], freq_mhz: 384, ticket_difficulty: 64, hashrate: rate(hps / 4) })),
    components: [],
    thermal: {
      mode: 'auto', target_c: 75, hot_c: 85, dangerous_c: 95,
      boards: [0, 1, 2, 3].map((index) => ({ index, chip_temp_c: 70 + 2 * wobble + index, board_temp_c: 55 + index, state: 'ok' as const, throttle_pct: 0 })),
      fans: [0, 1].map((index) => ({ index, rpm: Math.round(4200 + 100 * wobble), duty_pct: 60, ok: true })),
      interlock: { armed: true, trips: 0, last_trip: null },
    },
    power: { boards: [], wall_w: 800 + 20 * wobble, measured: false, energy_kwh: up / 4500, limit_w: null },
  };
}

export function lightControl(i: number, now: () => number = Date.now): MinerControl {
  const start = now();
  return {
    status: () => lightStatus(i, now(), start),
    events: new TypedEmitter<MinerEvents>(),
    recentEvents: () => [],
    chips: () => [],
    pause: na, resume: na, restart: na, setPowerTarget: na, setFanMode: na, identify: na, runDiagnostics: na, tuningReport: na,
    switchPool: na, enablePool: na, disablePool: na, addPool: na, removePool: na, poolPriority: na,
    redactedConfig: () => ({}),
    applyConfig: na,
  };
}
