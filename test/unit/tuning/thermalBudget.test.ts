import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ThermalBudget } from '../../../src/tuning/thermalBudget';

const board = (o: Partial<{ boardC: number | null; load: number; shedSteps: number; capSteps: number; lastThermalShedMs: number | undefined }> = {}) => ({
  boardC: 77,
  load: 1000,
  shedSteps: 200,
  capSteps: 5000,
  lastThermalShedMs: 0,
  ...o,
});

test('a board held back by heat for 90 s gets its load as budget; boards heat never touched get none', () => {
  const t = new ThermalBudget(78);
  assert.not.ok(t.learn(60_000, [board(), board({ lastThermalShedMs: undefined })]), 'too soon after the last shed');
  assert.ok(t.learn(100_000, [board(), board({ lastThermalShedMs: undefined, load: 900 })]));
  assert.is(t.maxLoad[0], 1000);
  assert.is(t.maxLoad[1], undefined);
});

test('little shed or a cool board teaches nothing', () => {
  const t = new ThermalBudget(78);
  assert.not.ok(t.learn(100_000, [board({ shedSteps: 10 })]));
  assert.not.ok(t.learn(100_000, [board({ boardC: 70 })]));
});

test('a budget grows once the board sits cool and unthrottled for two minutes; re-plans are bounded', () => {
  const t = new ThermalBudget(78, 3);
  t.learn(100_000, [board()]);
  const cool = board({ boardC: 72, shedSteps: 0, lastThermalShedMs: undefined });
  assert.not.ok(t.learn(110_000, [cool]));
  assert.ok(t.learn(240_000, [cool]));
  assert.ok(Math.abs(t.maxLoad[0]! - 1000 * (1 + 0.025 * 4)) < 1e-9);
  assert.not.ok(t.learn(250_000, [cool]), 'the cool clock restarts after a growth');
  assert.ok(t.learn(380_000, [cool]));
  t.learn(390_000, [cool]);
  assert.not.ok(t.learn(900_000, [cool]), 'at most 3 re-plans');
});

test.run();
