import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChipSearch } from '../../../src/tuning/chipSearch';

/** A chip that is clean below `limit` and fails hard at or above it; counts per window. */
function runChip(limit: number, start: number, o = { stride: 4, backoff: 1, maxIndex: 100 }): { s: ChipSearch; tried: number[] } {
  const s = new ChipSearch(start, o);
  const tried: number[] = [];
  for (let w = 0; w < 500 && !s.done; w++) {
    tried.push(s.current);
    if (s.current >= limit) s.feed(10, 10, 20);
    else s.feed(20, 0, 20);
  }
  return { s, tried };
}

test('climbs and bisects to the highest good step, then backs off one', () => {
  for (const [limit, start] of [
    [30, 10],
    [11, 10],
    [60, 10],
    [5, 10],
  ] as const) {
    const { s } = runChip(limit, start);
    assert.ok(s.done);
    assert.is(s.lo, limit - 1, `limit ${limit}`);
    assert.is(s.result, limit - 2);
  }
});

test('never tries a step more than stride above a known-good one (no hangs)', () => {
  const { tried, s } = runChip(40, 10);
  let good = -1;
  for (const t of tried) {
    if (good >= 0) assert.ok(t <= good + 4, `tried ${t} with ${good} known good`);
    if (t < 40) good = Math.max(good, t);
  }
  assert.ok(s.tests <= 12, `took ${s.tests} tests`);
});

test('a chip that fails down to the bottom is dead; a silent one too', () => {
  const { s } = runChip(0, 3);
  assert.ok(s.done && s.dead);
  const q = new ChipSearch(3, { stride: 2, backoff: 1, maxIndex: 20 });
  for (let i = 0; i < 10 && !q.done; i++) q.feed(0, 0, 50);
  assert.ok(q.done && q.dead);
});

test('stop() keeps the highest known-good step', () => {
  const s = new ChipSearch(10, { stride: 4, backoff: 1, maxIndex: 100 });
  for (let i = 0; i < 4; i++) s.feed(20, 0, 20); // accepted at 10 after 61 nonces
  assert.is(s.lo, 10);
  const out = s.stop();
  assert.equal(out, { done: true, index: 9, dead: false });
});

test('known bounds: a search bracketed from a stored profile starts inside them', () => {
  const s = new ChipSearch(20, { stride: 2, backoff: 0, maxIndex: 100 }, { hi: 20 });
  assert.is(s.current, 19);
});

test.run();
