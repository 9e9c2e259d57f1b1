import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChipModel, chipPowerW, freqForHwErrorMHz, hwErrorProbabilityAt, stableLimitMHz } from '../../../src/sim/physics/chipModel';
import type { ChipConstants } from '../../../src/sim/physics/chipModel';

const K: ChipConstants = {
  cores: 12, hashesPerCoreCycle: 0.00038, stockChipV: 0.82, referenceDieC: 70, stableAtStockMHz: 430,
  voltageExponent: 2.2, tempDerate: 0.0025, hangMargin: 0.15, baseHwErrorProbability: 5e-5,
  dynamicCoeff: 0.009, leakageCoeff: 0.3, leakageDoublingC: 25,
};

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

test.run();
