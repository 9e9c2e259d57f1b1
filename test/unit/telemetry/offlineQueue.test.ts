import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { OfflineQueue } from '../../../src/telemetry/mqtt/offlineQueue';

const m = (i: number) => ({ topic: 't', payload: String(i), qos: 0 as const, retain: false });

test('keeps order and drops the oldest beyond the bound', () => {
  const q = new OfflineQueue(3);
  for (let i = 0; i < 5; i++) q.push(m(i));
  assert.is(q.dropped, 2);
  assert.equal(q.drain().map((x) => x.payload), ['2', '3', '4']);
  assert.is(q.length, 0);
});

test('bound 0 keeps nothing', () => {
  const q = new OfflineQueue(0);
  q.push(m(1));
  assert.is(q.length, 0); assert.is(q.dropped, 1);
});

test('property: drained = the last min(n, bound) pushed, in order', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 200 }), (bound, n) => {
    const q = new OfflineQueue(bound);
    for (let i = 0; i < n; i++) q.push(m(i));
    const want = Array.from({ length: n }, (_, i) => String(i)).slice(Math.max(0, n - bound));
    assert.equal(q.drain().map((x) => x.payload), bound === 0 ? [] : want);
    assert.is(q.dropped, n - Math.min(n, bound));
  }));
});

test.run();
