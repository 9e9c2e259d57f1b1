import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../src/hal/clock';
import { createSimMiner } from '../../../src/sim/miner';
import type { SimMiner } from '../../../src/sim/miner';
import type { OracleResult } from '../../../src/sim/oracle';
import { getChipFamily } from '../../../src/chips';
import { StandInChain, standInFactory } from './standInChain';

const SEED = Number(process.env.SIM_SEED ?? 21);

function miner(chains: StandInChain[] = [], clock = new VirtualClock()): SimMiner {
  return createSimMiner({ boardId: 'l3plus', seed: SEED, clock, chainFactory: standInFactory(384, chains), stepMs: 5000 });
}

/** Applies an oracle answer through the firmware-side hal, runs to steady state, returns the truth. */
async function applyAndSettle(r: OracleResult): Promise<ReturnType<SimMiner['state']>> {
  const clock = new VirtualClock();
  const chains: StandInChain[] = [];
  const m = miner(chains, clock);
  m.start();
  await m.hal.fans.pwm[0]!.setDuty(r.assumptions.fanDuty);
  for (const b of r.boards) {
    for (const x of [0x55, 0xaa, 0x10, b.regulatorCode, 0x55, 0xaa, 0x15, 0x01]) await m.hal.i2c[0]!.sendByte(0x50 + b.chain, x);
    await m.hal.gpio.reset[b.chain]!.write(0);
    await m.hal.gpio.reset[b.chain]!.write(1);
    b.freqsMHz.forEach((f, i) => (chains[b.chain]!.freqs[i] = f));
  }
  clock.setInterval(() => {
    for (let c = 0; c < 4; c++) for (const x of [0x55, 0xaa, 0x16]) void m.hal.i2c[0]!.sendByte(0x50 + c, x);
  }, 10_000);
  clock.advance(2 * 3600_000);
  const s = m.state();
  await m.stop();
  return s;
}

const m = miner();
const best = m.oracle({ kind: 'hashrate' });
const capped = m.oracle({ kind: 'power', maxPowerW: 700 });
const efficient = m.oracle({ kind: 'efficiency', minHashrateHps: 450e6 });

test('the hashrate target beats stock, and running its settings gives what it promised', async () => {
  assert.ok(best.feasible);
  assert.ok(best.hashrateHps > 504.3e6 * 1.05, `${best.hashrateHps}`);
  const s = await applyAndSettle(best);
  assert.ok(Math.abs(s.hashrateHps - best.hashrateHps) / best.hashrateHps < 0.01, `${s.hashrateHps} vs ${best.hashrateHps}`);
  assert.ok(Math.abs(s.wallPowerW - best.wallPowerW) / best.wallPowerW < 0.02, `${s.wallPowerW} vs ${best.wallPowerW}`);
  const worst = Math.max(...s.chains.flatMap((c) => c.chips.map((x) => x.hwErrorProbability)));
  assert.ok(worst <= best.assumptions.hwLimit * 2, `worst chip HW ${worst}`);
  assert.ok(s.chains.every((c) => c.boardC <= best.assumptions.maxBoardC + 0.5));
});

test('the power target stays under its cap and gets more hashrate from a bigger cap', async () => {
  assert.ok(capped.feasible);
  assert.ok(capped.wallPowerW <= 700 + 1e-6);
  const more = m.oracle({ kind: 'power', maxPowerW: 800 });
  assert.ok(more.hashrateHps > capped.hashrateHps);
  const s = await applyAndSettle(capped);
  assert.ok(s.wallPowerW <= 700 * 1.02, `${s.wallPowerW}`);
});

test('the efficiency target meets its floor at better J/MH than stock and than max hashrate', () => {
  assert.ok(efficient.feasible);
  assert.ok(efficient.hashrateHps >= 450e6);
  assert.ok(efficient.efficiencyJoulesPerMH < 800 / 504);
  assert.ok(efficient.efficiencyJoulesPerMH < best.efficiencyJoulesPerMH);
});

test('every oracle frequency is one the BM1485 PLL makes (or whole MHz with snapping off)', () => {
  const fam = getChipFamily('bm1485');
  for (const b of best.boards) for (const f of b.freqsMHz) assert.ok(Math.abs(fam.pllFor(f).freqMHz - f) < 1e-9, `${f}`);
  assert.ok(best.assumptions.pllSnapped);
  const raw = m.oracle({ kind: 'hashrate' }, { achievableMHz: undefined });
  assert.not.ok(raw.assumptions.pllSnapped);
  assert.ok(raw.boards.every((b) => b.freqsMHz.every((f) => Number.isInteger(f))));
  assert.ok(raw.hashrateHps >= best.hashrateHps, 'a finer grid cannot do worse');
});

test('impossible targets say so', () => {
  assert.not.ok(m.oracle({ kind: 'power', maxPowerW: 100 }).feasible);
  assert.not.ok(m.oracle({ kind: 'efficiency', minHashrateHps: 5e9 }).feasible);
});

test('a hotter room lowers what the oracle can get', () => {
  const hot = m.oracle({ kind: 'hashrate' }, { ambientC: 40 });
  assert.ok(hot.hashrateHps < best.hashrateHps);
});

test.run();
