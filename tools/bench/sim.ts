/**
 * Simulator cost bench: what one simulated L3+ (4 x 72 chips) costs the host, as a fraction of
 * one core at real time. Drives the simulator on a virtual clock for `simulatedMs` while a
 * firmware-like load polls it through hal (fan tach 1/s, PSU power 1/s, both sensors per chain
 * every 10 s, PIC heartbeat every 10 s), measures process CPU time, and divides by the simulated
 * time. Budget (issue 4): < 0.15 of one core.
 *
 * Chain emulation: uses C1's SimChain when src/sim/chain is present; otherwise the physics and
 * devices alone (`chains: 'physics-only'` in the result) — nonce traffic is then not included.
 * Baseline in the same run: the same loop with the physics step skipped (hal polling only).
 */
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim/miner';
import type { SimMiner } from '../../src/sim/miner';
import { streamChainFactory } from '../../src/sim/chainSeam';
import type { BuiltChain, ChainBuildOptions } from '../../src/sim/chainSeam';

export interface SimBenchResult {
  name: 'sim';
  board: string;
  chains: 'simchain' | 'physics-only';
  simulatedMs: number;
  cpuMs: number;
  /** CPU time / simulated time: the share of one core the simulator needs at real time. */
  cpuFractionOfCore: number;
  budget: number;
  withinBudget: boolean;
  /** Same run without physics stepping (hal polling only), for the ratio. */
  baselineCpuMs: number;
  ratioToBaseline: number;
}

function physicsOnly(stockMHz: number): (o: ChainBuildOptions) => BuiltChain {
  return (o) => {
    const chips = Array.from({ length: o.chipCount }, () => ({ address: 0, freqMHz: stockMHz, responsive: true }));
    return { chain: { chips, reset() {}, setUartNoise() {}, stats: () => ({ noncesSent: 0, hwErrorsSent: 0, framesIgnored: 0, hashes: 0 }), stop() {} } };
  };
}

async function drive(withPhysics: boolean, simulatedMs: number, useSimChain: boolean): Promise<{ cpuMs: number; miner: SimMiner }> {
  const clock = new VirtualClock();
  const miner = createSimMiner({ boardId: 'l3plus', seed: 1, clock, chainFactory: useSimChain ? streamChainFactory : physicsOnly(384) });
  const bus = miner.hal.i2c[0]!;
  for (let c = 0; c < 4; c++) {
    for (const b of [0x55, 0xaa, 0x15, 0x01]) await bus.sendByte(0x50 + c, b);
    await miner.hal.gpio.reset[c]!.write(0);
    await miner.hal.gpio.reset[c]!.write(1);
  }
  if (withPhysics) miner.start();
  const poll1s = async (): Promise<void> => {
    for (const t of miner.hal.fans.tach) await t.readRpm();
    await bus.readWord(0x58, 0x97);
  };
  const poll10s = async (): Promise<void> => {
    for (let c = 0; c < 4; c++) {
      for (const b of [0x55, 0xaa, 0x16]) await bus.sendByte(0x50 + c, b);
      for (const s of miner.hal.sensorBuses[c]!) {
        await s.readByte(0x4c, 0x00);
        await s.readByte(0x4c, 0x01);
        await s.readByte(0x4c, 0x10);
      }
    }
  };
  const start = process.cpuUsage();
  for (let t = 0; t < simulatedMs; t += 1000) {
    await poll1s();
    if (t % 10_000 === 0) await poll10s();
    clock.advance(1000);
  }
  const used = process.cpuUsage(start);
  await miner.stop();
  return { cpuMs: (used.user + used.system) / 1000, miner };
}

export async function benchSim(opts: { smoke?: boolean } = {}): Promise<SimBenchResult> {
  const simulatedMs = opts.smoke ? 60_000 : 1_800_000;
  let useSimChain = true;
  try {
    require('../../src/sim/chain/simChain');
  } catch {
    useSimChain = false;
  }
  await drive(true, 10_000, useSimChain); // warm-up
  (globalThis as { gc?: () => void }).gc?.();
  const base = await drive(false, simulatedMs, useSimChain);
  (globalThis as { gc?: () => void }).gc?.();
  const run = await drive(true, simulatedMs, useSimChain);
  const fraction = run.cpuMs / simulatedMs;
  return {
    name: 'sim',
    board: 'l3plus',
    chains: useSimChain ? 'simchain' : 'physics-only',
    simulatedMs,
    cpuMs: run.cpuMs,
    cpuFractionOfCore: fraction,
    budget: 0.15,
    withinBudget: fraction < 0.15,
    baselineCpuMs: base.cpuMs,
    ratioToBaseline: base.cpuMs > 0 ? run.cpuMs / base.cpuMs : Infinity,
  };
}

if (require.main === module) {
  benchSim({ smoke: process.argv.includes('--smoke') }).then((r) => process.stdout.write(JSON.stringify(r) + '\n'));
}
