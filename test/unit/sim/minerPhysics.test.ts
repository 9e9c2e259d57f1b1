import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBoard } from '../../../src/config/boardLoader';
import { calibrate } from '../../../src/sim/physics/calibration';
import { MinerPhysics } from '../../../src/sim/physics/minerPhysics';

const SEED = Number(process.env.SIM_SEED ?? 7);

function runStock(id: string, seed: number, seconds: number, ambientC = 25): MinerPhysics {
  const b = loadBoard(id);
  const m = new MinerPhysics(b, seed, ambientC);
  for (const c of m.chains) c.enabled = true;
  for (const f of m.fans) {
    f.setDuty(b.sim.designFanDuty);
    f.settle();
  }
  for (let t = 0; t < seconds; t++) m.step(1000, () => b.hashBoard.freqMHz.stock);
  return m;
}

function totalHashrate(m: MinerPhysics, freq: number): number {
  return m.chains.reduce((s, c) => s + m.reading(c.index, () => freq).hashrateHps, 0);
}

test(`stock l3plus reproduces 504 MH/s and ~800 W at the wall (seed ${SEED})`, () => {
  const m = runStock('l3plus', SEED, 4000);
  const h = totalHashrate(m, 384);
  assert.ok(Math.abs(h - 504.3e6) / 504.3e6 < 0.01, `hashrate ${h}`);
  const w = m.wallPowerW();
  assert.ok(Math.abs(w - 800) / 800 < 0.05, `wall ${w}`);
});

test(`stock l7 reproduces 9.5 GH/s and ~3425 W at the wall (seed ${SEED})`, () => {
  const m = runStock('l7', SEED, 4000);
  const h = totalHashrate(m, 1850);
  assert.ok(Math.abs(h - 9.5e9) / 9.5e9 < 0.01, `hashrate ${h}`);
  const w = m.wallPowerW();
  assert.ok(Math.abs(w - 3425) / 3425 < 0.05, `wall ${w}`);
});

test('energy balance: at steady state the heat the air removes equals the heat the board makes', () => {
  const b = loadBoard('l3plus');
  const m = runStock('l3plus', SEED, 6000);
  const cal = calibrate(b);
  const g = b.sim.naturalConductanceWPerK + cal.fanConductanceWPerK * Math.pow(m.airflowFraction(), 0.8);
  for (const c of m.chains) {
    const removed = g * (c.thermal.temperatureC - m.ambientC);
    assert.ok(Math.abs(removed - c.heatW) / c.heatW < 0.001, `chain ${c.index}: ${removed} vs ${c.heatW}`);
  }
});

test('more airflow gives cooler boards; hotter ambient gives hotter boards', () => {
  const b = loadBoard('l3plus');
  const temps = (duty: number, amb: number): number => {
    const m = new MinerPhysics(b, SEED, amb);
    for (const c of m.chains) c.enabled = true;
    for (const f of m.fans) {
      f.setDuty(duty);
      f.settle();
    }
    for (let t = 0; t < 5000; t++) m.step(1000, () => 384);
    return m.chains[0]!.thermal.temperatureC;
  };
  assert.ok(temps(1, 25) < temps(0.5, 25));
  assert.ok(temps(0.5, 25) < temps(0.3, 25));
  assert.ok(temps(0.5, 35) > temps(0.5, 25));
});

test('each chain has weak chips: a spread of limits, some near or below stock', () => {
  const m = runStock('l3plus', SEED, 1);
  for (const c of m.chains) {
    const limits = c.chips.map((x) => x.maxStableMHz(x.k.stockChipV, x.k.referenceDieC));
    const weak = limits.filter((l) => l < 384 * 1.03).length;
    assert.ok(weak >= 1 && weak <= 8, `chain ${c.index}: ${weak} weak`);
    assert.ok(Math.max(...limits) - Math.min(...limits) > 20);
  }
});

test('determinism: the same seed gives the same chips and temperatures; another seed differs', () => {
  const a = runStock('l3plus', SEED, 200);
  const b = runStock('l3plus', SEED, 200);
  const c = runStock('l3plus', SEED + 1, 200);
  const sig = (m: MinerPhysics): string => JSON.stringify(m.chains.map((ch) => [ch.thermal.temperatureC, ch.chips.map((x) => x.maxStableMHz())]));
  assert.is(sig(a), sig(b));
  assert.is.not(sig(a), sig(c));
});

test('brown-out: a PSU sag far enough removes chain power', () => {
  const m = runStock('l3plus', SEED, 1);
  assert.ok(m.powered(0));
  m.supplyScale = 0.95;
  assert.ok(m.powered(0));
  m.supplyScale = 0.5;
  assert.not.ok(m.powered(0));
});

test.run();
