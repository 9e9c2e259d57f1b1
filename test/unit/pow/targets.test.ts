import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import vectors from '../../vectors/pow/headers.json';
import { SCRYPT_DIFF1_TARGET, SHA256_DIFF1_TARGET, difficultyToTarget, targetToDifficulty, bitsToTarget, hashToBigInt, bigIntToHashLE, hashMeetsTarget } from '../../../src/pow';

const hex64 = (t: bigint) => t.toString(16).padStart(64, '0');

for (const row of vectors.targets.rows) {
  test(`scrypt pool difficulty ${row.diff} gives the target pools use (${vectors.targets.source})`, () => {
    assert.is(hex64(difficultyToTarget(row.diff, SCRYPT_DIFF1_TARGET)), row.target);
  });
}

test('scrypt pool difficulty 65536 equals the Bitcoin diff-1 target', () => {
  assert.is(difficultyToTarget(65536, SCRYPT_DIFF1_TARGET), SHA256_DIFF1_TARGET);
});

test('fractional difficulties: 0.5 doubles the target, 1/65536 gives 0xffff << 240', () => {
  assert.is(difficultyToTarget(0.5, SCRYPT_DIFF1_TARGET), SCRYPT_DIFF1_TARGET * 2n);
  assert.is(difficultyToTarget(1 / 65536, SCRYPT_DIFF1_TARGET), 0xffffn << 240n);
});

test('difficulty -> target -> difficulty round-trips to double precision (seeded)', () => {
  fc.assert(
    fc.property(fc.double({ min: 2e-5, max: 1e12, noNaN: true }), (d) => {
      const back = targetToDifficulty(difficultyToTarget(d, SCRYPT_DIFF1_TARGET), SCRYPT_DIFF1_TARGET);
      return Math.abs(back / d - 1) < 1e-9;
    }),
    { seed: 42, numRuns: 2000 },
  );
});

test('difficulties so small their target passes 2^256 saturate at the maximum target', () => {
  assert.is(difficultyToTarget(1e-6, SCRYPT_DIFF1_TARGET), (1n << 256n) - 1n);
});

test('bad difficulties are refused', () => {
  for (const d of [0, -1, NaN, Infinity]) assert.throws(() => difficultyToTarget(d, SCRYPT_DIFF1_TARGET), RangeError);
});

test('compact nBits: 1e0ffff0 is the LTC/DOGE pow limit, 1a048442 puts 048442 at byte 6', () => {
  assert.is(hex64(bitsToTarget(0x1e0ffff0)), '00000ffff0' + '0'.repeat(54));
  assert.is(hex64(bitsToTarget(0x1a048442)), '000000000000048442' + '0'.repeat(46));
});

test('hashes are little-endian 256-bit numbers; the byte conversions invert each other', () => {
  const h = Buffer.alloc(32);
  h[31] = 0x01;
  assert.is(hashToBigInt(h), 1n << 248n);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => Buffer.from(b).equals(bigIntToHashLE(hashToBigInt(b)))),
    { seed: 7, numRuns: 500 },
  );
  assert.ok(hashMeetsTarget(h, 1n << 248n));
  assert.not.ok(hashMeetsTarget(h, (1n << 248n) - 1n));
});

test.run();
