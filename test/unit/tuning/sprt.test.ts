import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SPRT, newSprt, sprtBounds, sprtUpdate, yieldTooLow } from '../../../src/tuning/sprt';
import { SeededRandom } from '../../../src/sim/physics/random';

const seed = Number(process.env.TUNING_SEED ?? 7);

test('a clean chip passes after ln(beta/(1-alpha)) / ln((1-p1)/(1-p0)) nonces (61 at the defaults)', () => {
  const b = sprtBounds(DEFAULT_SPRT);
  const need = Math.ceil(b.lower / b.perClean);
  assert.is(need, 61);
  const s = newSprt();
  assert.is(sprtUpdate(s, need - 1, 0), 'continue');
  assert.is(sprtUpdate(s, 1, 0), 'accept');
});

test('one HW error alone does not fail a chip; two close together do', () => {
  const s = newSprt();
  assert.is(sprtUpdate(s, 0, 1), 'continue');
  assert.is(sprtUpdate(s, 3, 1), 'reject');
});

test('error rates: at p0 false rejects stay under alpha, at p1 false accepts under beta (seeded Monte Carlo)', () => {
  const rng = new SeededRandom(seed);
  const run = (p: number): 'accept' | 'reject' => {
    const s = newSprt();
    for (;;) {
      const e = rng.next() < p ? 1 : 0;
      const d = sprtUpdate(s, 1 - e, e);
      if (d !== 'continue') return d;
    }
  };
  let rejects = 0;
  let accepts = 0;
  for (let i = 0; i < 2000; i++) if (run(DEFAULT_SPRT.p0) === 'reject') rejects++;
  for (let i = 0; i < 2000; i++) if (run(DEFAULT_SPRT.p1) === 'accept') accepts++;
  assert.ok(rejects / 2000 <= DEFAULT_SPRT.alpha * 1.5, `false rejects ${rejects}/2000 (seed ${seed})`);
  assert.ok(accepts / 2000 <= DEFAULT_SPRT.beta * 1.5, `false accepts ${accepts}/2000 (seed ${seed})`);
});

test('a test still open at maxSamples decides by the observed ratio', () => {
  const s = newSprt();
  const p = { ...DEFAULT_SPRT, maxSamples: 50 };
  // 49 clean + 1 error: llr stays inside the bounds; ratio 0.02 > sqrt(p0 p1) = 0.01 -> reject
  assert.is(sprtUpdate(s, 49, 1, p), 'reject');
});

test('bad counts (negative, NaN) change nothing', () => {
  const s = newSprt();
  assert.is(sprtUpdate(s, -1, 0), 'continue');
  assert.is(sprtUpdate(s, Number.NaN, 0), 'continue');
  assert.equal(s, newSprt());
});

test('yield: a silent chip is flagged once enough nonces were due; a slow but live one is not', () => {
  assert.ok(yieldTooLow(0, 10));
  assert.not.ok(yieldTooLow(0, 3));
  assert.not.ok(yieldTooLow(5, 10));
  assert.ok(yieldTooLow(1, 20));
});

test.run();
