import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getChipFamily } from '../../../src/chips';
import { loadBoard } from '../../../src/config/boardLoader';
import { plan, voltageGrid } from '../../../src/tuning/planner';
import { minerSpecFromBoard } from '../../../src/tuning/spec';

const board = loadBoard('l3plus');
const spec = minerSpecFromBoard(board, getChipFamily('bm1485'));
const chars = Array.from({ length: 4 }, (_, b) => [
  { voltageV: spec.voltage.stockV, freqMHz: Array.from({ length: 72 }, (_, c) => 420 + ((c * 7 + b) % 30)) },
  { voltageV: spec.voltage.minV, freqMHz: Array.from({ length: 72 }, (_, c) => (420 + ((c * 7 + b) % 30)) * 0.9) },
]);
const dead = chars.map(() => new Array<boolean>(72).fill(false));
const power = { a: 7e-5, d: 70 };

test('the voltage grid is made of whole regulator steps within the range', () => {
  const g = voltageGrid(spec);
  assert.ok(Math.abs(g[0]! - spec.voltage.minV) < 1e-9);
  assert.ok(Math.abs(g[g.length - 1]! - spec.voltage.maxV) < 1e-9);
  for (const v of g) assert.ok(Math.abs(((v - spec.voltage.minV) / spec.voltage.stepV) % 1) < 1e-6 || Math.abs(((v - spec.voltage.minV) / spec.voltage.stepV) % 1) > 1 - 1e-6);
});

test('power: the plan stays within the budget and uses it (more budget, more hashrate)', () => {
  const p1 = plan({ spec, target: { kind: 'power', maxPowerW: 600 }, chars, dead, power });
  const p2 = plan({ spec, target: { kind: 'power', maxPowerW: 700 }, chars, dead, power });
  assert.ok(p1.feasible && p2.feasible);
  assert.ok(p1.wallPowerW <= 600 && p2.wallPowerW <= 700);
  assert.ok(p2.hashrateHps > p1.hashrateHps);
  assert.ok(p1.wallPowerW > 560, `uses the budget: ${p1.wallPowerW}`);
});

test('efficiency: meets the floor; an unreachable floor is reported infeasible', () => {
  const p = plan({ spec, target: { kind: 'efficiency', minHashrateHps: 480e6 }, chars, dead, power });
  assert.ok(p.feasible && p.hashrateHps >= 480e6);
  const q = plan({ spec, target: { kind: 'efficiency', minHashrateHps: 5e9 }, chars, dead, power });
  assert.not.ok(q.feasible);
});

test('every planned frequency is a ladder step; dead chips carry no hashrate', () => {
  const d2 = dead.map((row) => row.map((_, c) => c === 5));
  const p = plan({ spec, target: { kind: 'hashrate', hashrateHps: null }, chars, dead: d2, power });
  for (const b of p.boards) for (const i of b.index) assert.ok(i >= 0 && i < spec.ladderMHz.length);
  const sum = p.boards.reduce((s, b) => s + b.index.reduce((x, i, c) => x + (c === 5 ? 0 : spec.ladderMHz[i]!), 0), 0);
  assert.ok(Math.abs(sum * spec.hpsPerMHz - p.hashrateHps) < 1);
});

test('deterministic: the same inputs give the same plan', () => {
  const a = plan({ spec, target: { kind: 'efficiency', minHashrateHps: 400e6 }, chars, dead, power });
  const b = plan({ spec, target: { kind: 'efficiency', minHashrateHps: 400e6 }, chars, dead, power });
  assert.equal(a, b);
});

test.run();
