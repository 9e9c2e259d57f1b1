import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { effectiveLimits } from '../../../src/thermal/defaults';

const BOARD = { targetC: 65, hotC: 78, dangerousC: 85 };
const SCHEMA = { targetC: 75, hotC: 85, dangerousC: 95 };

test('schema defaults mean "not set": the board definition wins', () => {
  assert.equal(effectiveLimits(BOARD, SCHEMA, SCHEMA), { limits: BOARD });
});

test('a value the operator set wins', () => {
  assert.equal(effectiveLimits(BOARD, { ...SCHEMA, targetC: 60 }, SCHEMA).limits, { targetC: 60, hotC: 78, dangerousC: 85 });
});

test('a mix that breaks target < hot < dangerous falls back to the board, with a note', () => {
  const r = effectiveLimits(BOARD, { ...SCHEMA, targetC: 80 }, SCHEMA);
  assert.equal(r.limits, BOARD);
  assert.ok(r.note && r.note.includes('target < hot < dangerous'));
});

test("no config raises the board's dangerousC: 115 C on an 85 C board runs at 85 C, with a note", () => {
  const r = effectiveLimits(BOARD, { ...SCHEMA, dangerousC: 115 }, SCHEMA);
  assert.is(r.limits.dangerousC, 85);
  assert.ok(r.note && r.note.includes('hard limit'), r.note);
  assert.is(effectiveLimits(BOARD, { ...SCHEMA, dangerousC: 80 }, SCHEMA).limits.dangerousC, 80, 'lowering is allowed');
});

test.run();
