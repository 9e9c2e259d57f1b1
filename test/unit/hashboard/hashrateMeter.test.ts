import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HashrateMeter, HASHES_PER_DIFF1 } from '../../../src/hashboard/hashrateMeter';

const W = 256 * HASHES_PER_DIFF1; // one nonce at ticket difficulty 256

test('a steady nonce stream gives its true rate in every window once the window is full', () => {
  const m = new HashrateMeter(0);
  // 10 nonces per second for 20 minutes.
  for (let t = 0; t < 1_200_000; t += 100) m.record(W, t);
  const now = 1_200_000;
  for (const w of ['5s', '1m', '15m', 'total'] as const) {
    const r = m.rate(w, now);
    assert.ok(Math.abs(r.hps / (10 * W) - 1) < 0.03, `${w}: ${r.hps} vs ${10 * W}`);
  }
  assert.ok(Math.abs(m.rate('1m', now).relErr - 1 / Math.sqrt(600)) < 0.01);
});

test('old nonces leave the short windows but stay in the total', () => {
  const m = new HashrateMeter(0);
  for (let t = 0; t < 10_000; t += 100) m.record(W, t);
  const later = 200_000;
  assert.is(m.rate('5s', later).nonces, 0);
  assert.is(m.rate('1m', later).nonces, 0);
  assert.is(m.rate('15m', later).nonces, 100);
  assert.is(m.rate('total', later).nonces, 100);
  assert.is(m.rate('5s', later).relErr, Infinity);
});

test('right after start the window is the time elapsed, not the nominal span', () => {
  const m = new HashrateMeter(1_000);
  for (let t = 1_000; t < 3_000; t += 100) m.record(W, t);
  const r = m.rate('1m', 3_000);
  assert.ok(Math.abs(r.hps / (10 * W) - 1) < 0.15, `${r.hps}`);
});

test('a gap longer than the ring clears every bucket', () => {
  const m = new HashrateMeter(0);
  m.record(W, 500);
  m.record(W, 10_000_000);
  assert.is(m.rate('15m', 10_000_000).nonces, 1);
});

test('the 15 min window keeps a burst of 14 min ago and drops one of 16 min ago, at any phase', () => {
  for (const phase of [0, 3_700, 14_999]) {
    const m = new HashrateMeter(0);
    const now = 2_000_000 + phase;
    for (let k = 0; k < 30; k++) m.record(W, now - 16 * 60_000 + k);
    for (let k = 0; k < 50; k++) m.record(W, now - 14 * 60_000 + k);
    const r = m.rate('15m', now);
    assert.is(r.nonces, 50, `phase ${phase}`);
    assert.ok(r.spanS > 885 && r.spanS <= 900, `span ${r.spanS}`);
    assert.is(m.rate('1m', now).nonces, 0);
  }
});

test('5 s and 1 min windows read at non-whole seconds give the steady rate', () => {
  const m = new HashrateMeter(0);
  for (let t = 0; t < 300_000; t += 50) m.record(W, t);
  for (const now of [300_000, 300_250, 300_999]) {
    for (const w of ['5s', '1m', '15m'] as const) {
      const r = m.rate(w, now);
      // nonces stop at 300 s: a window read later than that lacks the last fraction
      assert.ok(Math.abs(r.hps / (20 * W) - 1) < 0.25, `${w} at ${now}: ${r.hps / W}`);
    }
  }
});

test.run();
