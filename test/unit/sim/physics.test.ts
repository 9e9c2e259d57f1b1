import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBoard } from '../../../src/config/boardLoader';
import { calibrate } from '../../../src/sim/physics/calibration';
import { ChipModel, chipPowerW, freqForHwErrorMHz, hwErrorProbabilityAt, stableLimitMHz } from '../../../src/sim/physics/chipModel';
import type { ChipConstants } from '../../../src/sim/physics/chipModel';
import { FanModel } from '../../../src/sim/physics/fan';
import { MinerPhysics } from '../../../src/sim/physics/minerPhysics';
import { SeededRandom } from '../../../src/sim/physics/random';
import { BoardThermal, steadyStateC } from '../../../src/sim/physics/thermal';

const SEED = Number(process.env.SIM_SEED ?? 7);
const K: ChipConstants = {
  cores: 12, hashesPerCoreCycle: 0.00038, stockChipV: 0.82, referenceDieC: 70, stableAtStockMHz: 430,
  voltageExponent: 2.2, tempDerate: 0.0025, hangMargin: 0.15, baseHwErrorProbability: 5e-5,
  dynamicCoeff: 0.009, leakageCoeff: 0.3, leakageDoublingC: 25,
};

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

test('the RC node approaches the steady state exponentially and never overshoots', () => {
  const th = new BoardThermal(1400, 25);
  const target = steadyStateC(180, 25, 6);
  let prev = 25;
  for (let i = 0; i < 2000; i++) {
    const t = th.step(1000, 180, 25, 6);
    assert.ok(t >= prev && t <= target + 1e-9);
    prev = t;
  }
  assert.ok(Math.abs(prev - target) < 0.01);
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

test('stable limit rises with voltage and falls with temperature', () => {
  assert.ok(stableLimitMHz(K, 0.86, 70) > stableLimitMHz(K, 0.82, 70));
  assert.ok(stableLimitMHz(K, 0.82, 90) < stableLimitMHz(K, 0.82, 70));
  assert.is(stableLimitMHz(K, 0.82, 70), 430);
});

test('HW-error probability is monotonic in frequency and steep above the limit', () => {
  let prev = 0;
  for (let f = 300; f <= 520; f += 5) {
    const p = hwErrorProbabilityAt(K, f, 430);
    assert.ok(p >= prev);
    prev = p;
  }
  assert.ok(hwErrorProbabilityAt(K, 400, 430) < 1e-4);
  assert.ok(hwErrorProbabilityAt(K, 430 * 1.06, 430) > 0.5);
  const f = freqForHwErrorMHz(K, 430, 0.002);
  assert.ok(Math.abs(hwErrorProbabilityAt(K, f, 430) - 0.002) < 1e-9);
});

test('power rises with frequency, voltage and temperature', () => {
  assert.ok(chipPowerW(K, 400, 0.82, 70) > chipPowerW(K, 380, 0.82, 70));
  assert.ok(chipPowerW(K, 384, 0.85, 70) > chipPowerW(K, 384, 0.82, 70));
  assert.ok(chipPowerW(K, 384, 0.82, 90) > chipPowerW(K, 384, 0.82, 70));
});

test('a chip pushed far past its limit hangs and stays hung until cleared', () => {
  const chip = new ChipModel(K);
  assert.ok(chip.responsive(400));
  assert.not.ok(chip.responsive(600));
  assert.not.ok(chip.responsive(300), 'latched');
  assert.is(chip.hashrateHps(300), 0);
  chip.clearHang();
  assert.ok(chip.responsive(300));
});

test('faults: dead never answers, silent answers without hashing, forced HW errors', () => {
  const chip = new ChipModel(K);
  chip.faults.silent = true;
  assert.ok(chip.responsive(384));
  assert.is(chip.hashrateHps(384), 0);
  chip.faults.silent = false;
  chip.faults.dead = true;
  assert.not.ok(chip.responsive(384));
  chip.faults.dead = false;
  chip.faults.hwErrorProbability = 0.3;
  assert.is(chip.hwErrorProbability(384), 0.3);
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

test('seeded random: forks are independent and reproducible', () => {
  const r = new SeededRandom(1);
  const a = r.fork('x').next();
  r.next();
  assert.is(r.fork('x').next(), a);
  assert.is.not(r.fork('y').next(), a);
  let sum = 0;
  const n = new SeededRandom(3);
  for (let i = 0; i < 20000; i++) sum += n.normal();
  assert.ok(Math.abs(sum / 20000) < 0.03);
});

test('fans: duty to RPM with inertia, tach in whole pulses, seized and tach-lost faults', () => {
  const f = new FanModel(4300, 2, 25, 2500);
  f.setDuty(0.5);
  f.step(500);
  assert.ok(f.rpm > 0 && f.rpm < 2150, 'still spinning up');
  for (let i = 0; i < 40; i++) f.step(1000);
  assert.ok(Math.abs(f.rpm - 2150) < 1);
  assert.is(f.tachRpm() % 30, 0);
  assert.ok(Math.abs(f.tachRpm() - 2150) <= 30);
  f.tachLost = true;
  assert.is(f.tachRpm(), 0);
  assert.ok(f.rpm > 2000, 'still spinning');
  f.tachLost = false;
  f.seized = true;
  for (let i = 0; i < 5; i++) f.step(1000);
  assert.is(f.rpm, 0);
  assert.throws(() => f.setDuty(Number.NaN), /0\.\.1/);
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
