import pino from 'pino';
import { VirtualClock } from '../../src/hal/clock';
import { HealthMonitor, type MonitoredChain } from '../../src/health/healthMonitor';

/**
 * Health monitor cost: one `tick` judging an L3+ (4 chains x 72 chips) with full 10-minute
 * windows, host time per tick and as a fraction of one core at the daemon's 5 s interval.
 * Baseline in the same run: the counter updates alone (what building the inputs costs).
 */
export async function benchHealth(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const chains: MonitoredChain[] = [0, 1, 2, 3].map((i) => ({
    index: i,
    ready: true,
    chipsFound: 72,
    expectedChips: 72,
    expectedHps: 126e6,
    ticketDifficulty: 64,
    frames: 0,
    badFrames: 0,
    chipFreqMHz: Array(72).fill(384),
    chips: Array.from({ length: 72 }, () => ({ nonces: 0, hwErrors: 0 })),
  }));
  const m = new HealthMonitor({
    clock: new VirtualClock(),
    log: pino({ level: 'silent' }),
    chains: () => chains,
    raise: () => undefined,
    policy: { maxReinitsPerHour: 2, freqStepMHz: 25, minFreqMHz: 100, deadChipsForReinit: 3, deadGraceMs: 15_000 },
    actions: { reinitChain: async () => true, setChipFreq: async () => undefined, disableChip: async () => undefined, powerOffBoard: async () => undefined },
  });
  const bump = (): void => {
    for (const c of chains) for (const x of c.chips) x.nonces += 2;
  };
  let t = 0;
  for (let i = 0; i < 150; i++) {
    bump();
    m.tick((t += 5000));
  }
  const n = o.smoke ? 200 : 3000;
  const b0 = performance.now();
  for (let i = 0; i < n; i++) bump();
  const baselineUs = ((performance.now() - b0) / n) * 1000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    bump();
    m.tick((t += 5000));
  }
  const tickUs = ((performance.now() - t0) / n) * 1000;
  const cpu = tickUs / 1e6 / 5;
  const result = { chips: 288, ticks: n, tickUs, baselineUs, ratioToBaseline: tickUs / Math.max(baselineUs, 1e-9), cpuFractionOfCoreAt5s: cpu };
  const table = `health monitor, 288 chips: ${tickUs.toFixed(0)} us per tick (counters alone ${baselineUs.toFixed(1)} us), ${(cpu * 100).toFixed(4)} % of one core at one tick per 5 s\n`;
  return { table, result };
}
