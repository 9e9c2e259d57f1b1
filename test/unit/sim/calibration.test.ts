import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBoard } from '../../../src/config/boardLoader';
import { calibrate, conductanceWPerK, fanPowerW } from '../../../src/sim/physics/calibration';
import { chipPowerW } from '../../../src/sim/physics/chipModel';

test('calibrated chip power at stock closes the wall-power budget exactly', () => {
  for (const id of ['l3plus', 'l7']) {
    const b = loadBoard(id);
    const cal = calibrate(b);
    const chips = cal.stockChipPowerW * cal.chipCount;
    const wall = (chips / b.hashBoard.regulator.efficiency + cal.designFansW + b.sim.controllerW) / b.psu.efficiency;
    assert.ok(Math.abs(wall - b.published.wallPowerW) < 1e-6, `${id}: ${wall}`);
    const k = { dynamicCoeff: cal.dynamicCoeff, leakageCoeff: cal.leakageCoeff, referenceDieC: b.sim.referenceDieC, leakageDoublingC: b.sim.leakageDoublingC };
    const p = chipPowerW({ ...k, cores: 1, hashesPerCoreCycle: 1, stockChipV: cal.stockChipV, stableAtStockMHz: 1, voltageExponent: 1, tempDerate: 0, hangMargin: 1, baseHwErrorProbability: 0 }, cal.stockFreqMHz, cal.stockChipV, b.sim.referenceDieC);
    assert.ok(Math.abs(p - cal.stockChipPowerW) < 1e-9);
  }
});

test('the l3plus per-chip power agrees with the community fit (chips.md §14.17: ~2.45 W)', () => {
  const cal = calibrate(loadBoard('l3plus'));
  assert.ok(cal.stockChipPowerW > 2.2 && cal.stockChipPowerW < 2.7, `${cal.stockChipPowerW}`);
});

test('conductance grows with airflow and gives the design rise at the design duty', () => {
  const b = loadBoard('l3plus');
  const cal = calibrate(b);
  assert.ok(conductanceWPerK(b, cal, 1) > conductanceWPerK(b, cal, 0.5));
  assert.is(conductanceWPerK(b, cal, 0), b.sim.naturalConductanceWPerK);
  assert.ok(Math.abs(conductanceWPerK(b, cal, b.sim.designFanDuty) - cal.designConductanceWPerK) < 1e-9);
  assert.is(fanPowerW(20, 0.5), 2.5);
});

test('a board whose fans and controller exceed its published power is refused', () => {
  const b = loadBoard('l3plus');
  b.sim.controllerW = 10_000;
  assert.throws(() => calibrate(b), /exceed the published power/);
});

test.run();
