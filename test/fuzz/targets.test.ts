/**
 * The target maths against every double (issue #26: 1.7e308 broke the old frexp scaling and a
 * notify threw `Division by zero`): exact floor(diff1 / d) checked against an independent
 * rational computation, clamping, monotonicity, the inverse, and typed refusal of the rest.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { MAX_TARGET, SCRYPT_DIFF1_TARGET, SHA256_DIFF1_TARGET, difficultyToTarget, targetToDifficulty } from '../../src/pow/targets';

const SEED = Number(process.env.FC_SEED ?? 0x7a26);
const RUNS = Number(process.env.FC_RUNS ?? 20_000);

/** d as an exact rational p / q (q a power of two), from its IEEE-754 bits: independent of decompose(). */
function rational(d: number): { p: bigint; q: bigint } {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, d);
  const bits = b.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const e = (exp === 0 ? 1 : exp) - 1075;
  return e >= 0 ? { p: mant << BigInt(e), q: 1n } : { p: mant, q: 1n << BigInt(-e) };
}

const positive = fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true, noDefaultInfinity: true });

test('every positive finite double: target = clamp(floor(diff1 * q / p), 1, 2^256 - 1), exactly', () => {
  for (const diff1 of [SCRYPT_DIFF1_TARGET, SHA256_DIFF1_TARGET]) {
    fc.assert(fc.property(positive, (d) => {
      const { p, q } = rational(d);
      let want = (diff1 * q) / p;
      if (want > MAX_TARGET) want = MAX_TARGET;
      if (want < 1n) want = 1n;
      return difficultyToTarget(d, diff1) === want;
    }), { seed: SEED, numRuns: RUNS });
  }
});

test('monotone: a higher difficulty never gives a larger target', () => {
  fc.assert(fc.property(positive, positive, (a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    return difficultyToTarget(hi, SCRYPT_DIFF1_TARGET) <= difficultyToTarget(lo, SCRYPT_DIFF1_TARGET);
  }), { seed: SEED, numRuns: RUNS });
});

test('targetToDifficulty inverts it to 1e-9 wherever the target is neither clamped nor tiny (scrypt: 2^-15 <= d <= 2^200)', () => {
  fc.assert(fc.property(fc.double({ min: 2 ** -15, max: 2 ** 200, noNaN: true }), (d) => {
    const back = targetToDifficulty(difficultyToTarget(d, SCRYPT_DIFF1_TARGET), SCRYPT_DIFF1_TARGET);
    return Math.abs(back - d) / d < 1e-9;
  }), { seed: SEED, numRuns: RUNS });
});

test('everything else is a RangeError, never another throw and never a target', () => {
  const bad = fc.oneof(
    fc.constantFrom(0, -0, NaN, Infinity, -Infinity),
    fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
    fc.anything().filter((x) => typeof x !== 'number'),
  );
  fc.assert(fc.property(bad, (x) => {
    try {
      difficultyToTarget(x as number, SCRYPT_DIFF1_TARGET);
      return false;
    } catch (e) {
      return e instanceof RangeError;
    }
  }), { seed: SEED, numRuns: RUNS / 4 });
  assert.is(difficultyToTarget(1.7e308, SCRYPT_DIFF1_TARGET), 1n);
  assert.is(difficultyToTarget(Number.MIN_VALUE, SCRYPT_DIFF1_TARGET), MAX_TARGET);
});

test.run();
