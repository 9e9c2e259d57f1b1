import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Governor, chipCost, restoreSteps, shedSteps } from '../../../src/tuning/governor';

const base = { wattsPerStep: 0.5, hotC: 78, chipsPerBoard: 72, shedPerBoard: [0, 0], stepsPerBoard: [4000, 4000] };

test('costlier chips (more HW errors, lower frequency) are shed first and restored last', () => {
  assert.ok(chipCost(300, 384, 0) > chipCost(450, 384, 0));
  assert.ok(chipCost(400, 384, 0.05) > chipCost(400, 384, 0));
  const idx = [10, 10, 10];
  const costs = [1, 3, 2];
  const usable = [true, true, true];
  assert.is(shedSteps(idx, [0, 0, 0], (c) => costs[c]!, 1, usable), 1);
  assert.equal(idx, [10, 9, 10]);
  assert.is(restoreSteps(idx, [10, 10, 11], (c) => costs[c]!, 2, usable), 2);
  assert.equal(idx, [10, 10, 11]);
  assert.is(shedSteps(idx, [10, 10, 11], (c) => costs[c]!, 5, usable), 0, 'nothing above the floors');
});

test('power over budget sheds in proportion to the excess, on the mean of three readings; in the dead band nothing moves', () => {
  const g = new Governor();
  const at = (t: number, w: number): number[] => g.decide({ ...base, nowMs: t, wallPowerW: w, budgetW: 640, boardC: [60, 60] });
  assert.equal(at(0, 650), [0, 0], 'one reading slightly over is not acted on');
  assert.equal(at(5000, 660), [0, 0]);
  const over = at(10_000, 670);
  const total = over.reduce((s, x) => s + x, 0);
  assert.is(total, Math.ceil((660 - 640 * 0.99) / 0.5));
  const far = new Governor().decide({ ...base, nowMs: 0, wallPowerW: 700, budgetW: 640, boardC: [60, 60] });
  assert.ok(far[0]! > 0, 'far over budget acts at once');
  const g2 = new Governor();
  for (let t = 0; t < 600_000; t += 5000) assert.equal(g2.decide({ ...base, nowMs: t, wallPowerW: 632 + (t % 3), budgetW: 640, boardC: [60, 60], shedPerBoard: [5, 5] }), [0, 0]);
});

test('after an action the governor holds; under budget it restores half the gap, only where steps were shed', () => {
  const g = new Governor();
  g.decide({ ...base, nowMs: 0, wallPowerW: 700, budgetW: 640, boardC: [60, 60] });
  assert.equal(g.decide({ ...base, nowMs: 5000, wallPowerW: 600, budgetW: 640, boardC: [60, 60], shedPerBoard: [50, 0] }), [0, 0], 'hold');
  g.decide({ ...base, nowMs: 10_000, wallPowerW: 600, budgetW: 640, boardC: [60, 60], shedPerBoard: [50, 0] });
  const r = g.decide({ ...base, nowMs: 20_000, wallPowerW: 600, budgetW: 640, boardC: [60, 60], shedPerBoard: [50, 0] });
  assert.is(r[1], 0);
  assert.is(r[0], -Math.floor((0.5 * (640 * 0.99 - 600)) / 0.5));
});

test('a hot board sheds in proportion to its steps; a rising trend acts early; it is given back only once cool', () => {
  const g = new Governor();
  const a = g.decide({ ...base, nowMs: 0, wallPowerW: null, budgetW: null, boardC: [78, 60] });
  assert.is(a[0], Math.round(4000 * 0.01 * 2));
  assert.is(a[1], 0);
  assert.equal(g.decide({ ...base, nowMs: 40_000, wallPowerW: null, budgetW: null, boardC: [75.5, 60], shedPerBoard: [10, 0] }), [0, 0], 'not cool enough');
  const c = g.decide({ ...base, nowMs: 80_000, wallPowerW: null, budgetW: null, boardC: [70, 60], shedPerBoard: [10, 0] });
  assert.ok(c[0]! < 0);
  const r = new Governor();
  r.decide({ ...base, nowMs: 0, wallPowerW: null, budgetW: null, boardC: [70, 60] });
  const early = r.decide({ ...base, nowMs: 10_000, wallPowerW: null, budgetW: null, boardC: [74, 60] });
  assert.ok(early[0]! > 0, 'rising 0.4 °C/s toward hot: shed before reaching it');
});

test.run();
