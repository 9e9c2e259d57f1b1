import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChipHealthTracker } from '../../../src/health/chipHealth';
import { expectedNonces, poissonCdf, wilsonInterval } from '../../../src/health/stats';

const SEED = Number(process.env.FUZZ_SEED ?? 1234);
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function poisson(r: () => number, lambda: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let s = p;
  const u = r();
  while (u > s && k < 10_000) {
    k++;
    p *= lambda / k;
    s += p;
  }
  return k;
}

// An L3+ chip: 504 MH/s / 288 chips = 1.75 MH/s; ticket difficulty 64 -> ~0.42 nonces/s.
const HPS = 504e6 / 288;
const CTX = { expectedHps: HPS, ticketDifficulty: 64, workSinceMs: 0 };

test('stats: Poisson CDF and Wilson bounds match known values', () => {
  assert.ok(Math.abs(poissonCdf(0, 2) - Math.exp(-2)) < 1e-12);
  assert.ok(Math.abs(poissonCdf(2, 2) - 5 * Math.exp(-2)) < 1e-12);
  assert.ok(poissonCdf(10, 2000) < 1e-300 || poissonCdf(10, 2000) === 0);
  assert.is(poissonCdf(-1, 3), 0);
  const w = wilsonInterval(10, 1000, 3);
  assert.ok(w.low < 0.01 && w.high > 0.01 && w.low > 0.002);
  assert.equal(wilsonInterval(0, 0), { low: 0, high: 1 });
  assert.ok(Math.abs(expectedNonces(65536, 1, 1000) - 1) < 1e-12);
});

test('a healthy chip stays ok over 24 simulated hours (no false alarm)', () => {
  const r = rng(SEED);
  const t = new ChipHealthTracker();
  let n = 0;
  let h = 0;
  let last = 0;
  for (let s = 10; s <= 24 * 3600; s += 10) {
    const k = poisson(r, expectedNonces(HPS, 64, 10_000));
    n += k;
    for (let i = 0; i < k; i++) if (r() < 5e-4) h++;
    if (k) last = s * 1000;
    const v = t.update(s * 1000, { nonces: n, hwErrors: h }, CTX);
    if (v.state !== 'ok') assert.unreachable(`seed ${SEED}: healthy chip judged ${v.state} (${v.detail}) at ${s}s`);
  }
  assert.ok(last > 0);
});

test('a dead chip is declared dead once P(0 | healthy) < 1e-6, not before', () => {
  const t = new ChipHealthTracker();
  const rate = expectedNonces(HPS, 64, 1000); // per second
  const deadAfterS = Math.log(1e6) / rate;
  let at = 0;
  for (let s = 1; s < 200; s++) {
    const v = t.update(s * 1000, { nonces: 0, hwErrors: 0 }, CTX);
    if (v.state === 'dead') {
      at = s;
      break;
    }
  }
  assert.ok(at >= deadAfterS && at <= deadAfterS + 1, `dead at ${at}s, bound ${deadAfterS.toFixed(1)}s`);
  assert.is(t.reason, 'no_results');
});

test('a dead chip needs several results to come back (hysteresis)', () => {
  const t = new ChipHealthTracker();
  t.update(100_000, { nonces: 0, hwErrors: 0 }, CTX);
  assert.is(t.state, 'dead');
  t.update(101_000, { nonces: 1, hwErrors: 0 }, CTX);
  assert.is(t.state, 'dead');
  t.update(102_000, { nonces: 2, hwErrors: 0 }, CTX);
  assert.is(t.state, 'dead');
  const v = t.update(103_000, { nonces: 3, hwErrors: 0 }, CTX);
  assert.is.not(v.state, 'dead');
  assert.ok(v.changed);
});

test('HW errors degrade a chip only with confidence, and it recovers below the exit ratio', () => {
  const r = rng(SEED + 1);
  const t = new ChipHealthTracker();
  let n = 0;
  let h = 0;
  let s = 0;
  let degradedAt = -1;
  for (; s < 3600 && degradedAt < 0; s += 10) {
    const k = poisson(r, expectedNonces(HPS, 64, 10_000));
    for (let i = 0; i < k; i++) (r() < 0.1 ? h++ : n++);
    if (t.update(s * 1000, { nonces: n, hwErrors: h }, CTX).state === 'degraded') degradedAt = s;
  }
  assert.ok(degradedAt > 0, `seed ${SEED}: 10 % HW errors never degraded`);
  assert.is(t.reason, 'hw_errors');
  // back to 0.1 % errors: stays degraded while the window still holds the bad data
  let recoveredAt = -1;
  for (; s < 10 * 3600 && recoveredAt < 0; s += 10) {
    const k = poisson(r, expectedNonces(HPS, 64, 10_000));
    for (let i = 0; i < k; i++) (r() < 0.001 ? h++ : n++);
    if (t.update(s * 1000, { nonces: n, hwErrors: h }, CTX).state === 'ok') recoveredAt = s;
  }
  assert.ok(recoveredAt > degradedAt + 120, `seed ${SEED}: recovered at ${recoveredAt}s (degraded at ${degradedAt}s): must wait for evidence`);
  for (const end = s + 3600; s < end; s += 10) {
    const k = poisson(r, expectedNonces(HPS, 64, 10_000));
    for (let i = 0; i < k; i++) (r() < 0.001 ? h++ : n++);
    assert.is(t.update(s * 1000, { nonces: n, hwErrors: h }, CTX).state, 'ok', `seed ${SEED}: flapped back at ${s}s`);
  }
});

test('a slow chip (a quarter of its rate) is degraded, a chip not yet mining is unknown', () => {
  const r = rng(SEED + 2);
  const t = new ChipHealthTracker();
  let n = 0;
  let state = '';
  for (let s = 10; s <= 1200; s += 10) {
    n += poisson(r, expectedNonces(HPS / 4, 64, 10_000));
    state = t.update(s * 1000, { nonces: n, hwErrors: 0 }, CTX).state;
  }
  assert.is(state, 'degraded');
  assert.is(t.reason, 'slow');
  const u = new ChipHealthTracker();
  assert.is(u.update(1000, { nonces: 0, hwErrors: 0 }, { ...CTX, workSinceMs: null }).state, 'unknown');
  assert.is(u.update(2000, { nonces: 0, hwErrors: 0 }, { ...CTX, expectedHps: Number.NaN }).state, 'unknown');
});

test.run();
