import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { LATENCY_BOUNDS_MS, LatencyHistogram, histogramDelta, quantileBound } from '../../../src/core/latencyHistogram';

test('samples land in the bucket whose bound is the first at or above them; the last bucket is open', () => {
  const h = new LatencyHistogram([0.5, 1, 2]);
  for (const ms of [0.1, 0.5, 0.51, 1, 1.7, 2, 2.01, 40, NaN, Infinity]) h.record(ms);
  assert.equal(h.snapshot(), { le_ms: [0.5, 1, 2], counts: [2, 2, 2, 2] });
});

test('two snapshots subtract to the samples between them; quantile bounds of that window', () => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 10; i++) h.record(3); // a cold start: slow
  const before = h.snapshot();
  for (let i = 0; i < 99; i++) h.record(0.4);
  h.record(1.2);
  const w = histogramDelta(before, h.snapshot());
  assert.is(w.counts.reduce((a, b) => a + b, 0), 100);
  assert.is(quantileBound(w, 0.5), 0.5);
  assert.is(quantileBound(w, 0.99), 0.5, '99 of 100 at or under 0.5 ms');
  assert.is(quantileBound(w, 1), 1.5);
  assert.is(quantileBound(histogramDelta(undefined, h.snapshot()), 0.99), 3, 'since start the cold shares count');
  assert.is(quantileBound(histogramDelta(h.snapshot(), h.snapshot()), 0.5), null, 'no samples');
});

test('quantileBound agrees with sorting the samples (fast-check)', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 2000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (xs, q) => {
      const h = new LatencyHistogram();
      xs.forEach((x) => h.record(x));
      const sorted = [...xs].sort((a, b) => a - b);
      const v = sorted[Math.ceil(q * xs.length) - 1];
      const bound = quantileBound(h.snapshot(), q)!;
      const i = LATENCY_BOUNDS_MS.findIndex((b) => v <= b);
      assert.is(bound, i === -1 ? Infinity : LATENCY_BOUNDS_MS[i]);
    }),
    { seed: 42, numRuns: 500 },
  );
});

test.run();
