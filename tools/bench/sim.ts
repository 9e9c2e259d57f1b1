/**
 * Simulator cost bench (issue 4 budget: one simulated L3+, 4 x 72 chips, at realistic nonce
 * rates costs the simulator < 15 % of one core).
 *
 * Rig: the whole composition (`createSimMiner`, real SimChain over paced in-process UARTs,
 * physics, devices) on a virtual clock, brought up by the real chain driver (src/chips Chain:
 * reset, enumerate, address, PLL 384 MHz, ticket difficulty 256 = the stock mask 0xFF, so about
 * 7.5 nonces/s per chain, chips.md §14.12), with new work every 19.5 s as the stock host sends
 * (chips.md §14.11) and a firmware-like poll through hal (tach and PSU 1/s, sensors and PIC
 * heartbeat every 10 s). After bring-up, CPU time (process.cpuUsage, all threads: the
 * scrypt-sim bases run on the libuv pool) is measured over `simulatedMs` of virtual time and
 * divided by it: the share of one core the simulator would need at real time. The driver's frame
 * parsing is included, so the figure is an upper bound for the simulator alone.
 * Baseline in the same run: the same rig after bring-up with no work sent (no nonce traffic).
 */
import pino from 'pino';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim/miner';
import { SeededRandom } from '../../src/sim/physics/random';

export interface SimBenchResult {
  name: 'sim';
  board: 'l3plus';
  simulatedMs: number;
  nonces: number;
  noncesPerSecond: number;
  cpuMs: number;
  /** CPU time / simulated time with work flowing. */
  cpuFractionOfCore: number;
  budget: number;
  withinBudget: boolean;
  /** Same rig, no work (no nonce traffic): CPU time / simulated time. */
  baselineCpuFractionOfCore: number;
  ratioToBaseline: number;
}

const STEP_MS = 50;
const WORK_REFRESH_MS = 19_500;

async function rig(simulatedMs: number, sendWork: boolean): Promise<{ cpuMs: number; nonces: number }> {
  const clock = new VirtualClock();
  const miner = createSimMiner({ boardId: 'l3plus', seed: 1, clock, pow: 'scrypt-sim' });
  const log = pino({ level: 'silent' });
  const bus = miner.hal.i2c[0]!;
  const advance = async (ms: number): Promise<void> => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advance(Math.min(STEP_MS, end - clock.now()));
      await new Promise((r) => setImmediate(r));
    }
  };
  const until = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    let err: unknown;
    let val: T | undefined;
    p.then(
      (v) => ((done = true), (val = v)),
      (e) => ((done = true), (err = e)),
    );
    while (!done) await advance(STEP_MS);
    if (err) throw err;
    return val as T;
  };
  for (let c = 0; c < 4; c++) for (const b of [0x55, 0xaa, 0x15, 0x01]) await bus.sendByte(0x50 + c, b);
  miner.start();
  const heartbeat = (): void => {
    for (let c = 0; c < 4; c++) for (const b of [0x55, 0xaa, 0x16]) void bus.sendByte(0x50 + c, b);
  };
  clock.setInterval(heartbeat, 10_000);
  const chains = miner.hal.uarts.map(
    (uart, c) => new Chain({ family: getChipFamily('bm1485'), uart, clock, log, expectedChips: 72, chain: c, reset: miner.hal.gpio.reset[c] }),
  );
  await until(Promise.all(chains.map((ch) => ch.init({ freqMHz: 384, ticketDifficulty: 256 }))));
  let nonces = 0;
  for (const ch of chains) ch.on('nonce', () => nonces++, 'bench');
  const rnd = new SeededRandom(5);
  let job = 0;
  const newWork = (): void => {
    const header76 = Buffer.from(Array.from({ length: 76 }, () => rnd.int(256)));
    job++;
    for (const ch of chains) void ch.sendWork({ jobId: job, header76 });
  };
  const poll = async (t: number): Promise<void> => {
    for (const tach of miner.hal.fans.tach) await tach.readRpm();
    await bus.readWord(0x58, 0x97);
    if (t % 10_000 === 0) for (const buses of miner.hal.sensorBuses) for (const s of buses) await s.readByte(0x4c, 0x00);
  };
  const start = process.cpuUsage();
  for (let t = 0; t < simulatedMs; t += 1000) {
    if (sendWork && t % WORK_REFRESH_MS < 1000) newWork();
    await poll(t);
    await advance(1000);
  }
  const used = process.cpuUsage(start);
  await miner.stop();
  return { cpuMs: (used.user + used.system) / 1000, nonces };
}

export async function benchSim(opts: { smoke?: boolean } = {}): Promise<SimBenchResult> {
  const simulatedMs = opts.smoke ? 20_000 : 300_000;
  await rig(5_000, true); // warm-up (JIT, scrypt pool)
  (globalThis as { gc?: () => void }).gc?.();
  const base = await rig(simulatedMs, false);
  (globalThis as { gc?: () => void }).gc?.();
  const run = await rig(simulatedMs, true);
  const fraction = run.cpuMs / simulatedMs;
  const baseFraction = base.cpuMs / simulatedMs;
  return {
    name: 'sim',
    board: 'l3plus',
    simulatedMs,
    nonces: run.nonces,
    noncesPerSecond: run.nonces / (simulatedMs / 1000),
    cpuMs: run.cpuMs,
    cpuFractionOfCore: fraction,
    budget: 0.15,
    withinBudget: fraction < 0.15,
    baselineCpuFractionOfCore: baseFraction,
    ratioToBaseline: baseFraction > 0 ? fraction / baseFraction : Infinity,
  };
}

if (require.main === module) {
  benchSim({ smoke: process.argv.includes('--smoke') }).then((r) => process.stdout.write(JSON.stringify(r) + '\n'));
}
