import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolvePointer } from '../../../src/economics/jsonPointer';
import { parseMarketPayload } from '../../../src/economics/market';
import { MarketCache } from '../../../src/economics/marketCache';

test('JSON pointers walk objects and arrays with RFC 6901 escapes', () => {
  const doc = { a: [{ 'b/c': 1, 'd~e': 2 }], '': 3 };
  assert.is(resolvePointer(doc, '/a/0/b~1c'), 1);
  assert.is(resolvePointer(doc, '/a/0/d~0e'), 2);
  assert.is(resolvePointer(doc, '/'), 3);
  assert.equal(resolvePointer(doc, ''), doc);
  assert.is(resolvePointer(doc, '/a/01'), undefined);
  assert.is(resolvePointer(doc, '/a/0/x'), undefined);
  assert.is(resolvePointer(doc, 'a'), undefined);
  assert.is(resolvePointer(doc, '/a/0/~2'), undefined);
});

test('a payload maps through its pointers; numbers as strings are read, implausible values refused', () => {
  const text = JSON.stringify({ litecoin: { usd: '84.5' }, dogecoin: { usd: 0.15 }, ltc: { diff: 4.1e7 }, fee: 250 });
  const r = parseMarketPayload(text, { ltcPrice: '/litecoin/usd', dogePrice: '/dogecoin/usd', ltcDifficulty: '/ltc/diff', poolFeePct: '/fee', dogeReward: '/nope' });
  assert.equal(r.values, { ltcPrice: 84.5, dogePrice: 0.15, ltcDifficulty: 4.1e7 });
  assert.is(r.problems.length, 2);
  assert.ok(r.problems.some((p) => p.startsWith('poolFeePct: 250 is outside')));
  assert.ok(r.problems.some((p) => p.startsWith('dogeReward:')));
});

test('malformed JSON is a problem, never a throw', () => {
  const r = parseMarketPayload('{"ltc": ', { ltcPrice: '/ltc' });
  assert.equal(r.values, {});
  assert.match(r.problems[0]!, /not JSON/);
});

test('a live value goes stale after max age; a fixed value fills in and is never stale', () => {
  const c = new MarketCache(60_000);
  c.configure({ dogeReward: 10_000 }, 60_000);
  c.put('http:prices', 1000, { ltcPrice: 80 });
  let v = c.view(1000 + 60_000);
  assert.is(v.fields.ltcPrice.quality, 'ok');
  assert.is(v.fields.ltcPrice.age_s, 60);
  assert.is(v.fields.dogeReward.source, 'fixed');
  assert.is(v.fields.ltcReward.quality, 'missing');
  v = c.view(1000 + 60_001);
  assert.is(v.fields.ltcPrice.quality, 'stale');
  assert.is(v.values.ltcPrice, 80);
  // a fresh live value wins over a fixed one
  c.configure({ ltcPrice: 70 }, 60_000);
  assert.is(c.view(1000 + 60_001).values.ltcPrice, 70);
  c.put('mqtt:prices', 2000, { ltcPrice: 90 });
  assert.is(c.view(3000).values.ltcPrice, 90);
});

test.run();
