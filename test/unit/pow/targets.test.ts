import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import vectors from '../../vectors/pow/headers.json';
import { SCRYPT_DIFF1_TARGET, SHA256_DIFF1_TARGET, difficultyToTarget, targetToDifficulty, bitsToTarget, hashToBigInt, bigIntToHashLE, hashMeetsTarget } from '../../../src/pow';
import { TargetBytes, leq256 } from '../../../src/pow/targets';

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

test('hashToBigInt (64-bit limbs) equals the byte-by-byte reading; leq256 orders like the numbers (fast-check)', () => {
  const naive = (h: Uint8Array) => {
    let v = 0n;
    for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(h[i]);
    return v;
  };
  const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
  // near-equal pairs too: b is a with one byte changed
  const pair = fc.oneof(fc.tuple(hash, hash), fc.tuple(hash, fc.nat(31), fc.integer({ min: 0, max: 255 })).map(([a, i, v]) => { const b = Uint8Array.from(a); b[i] = v; return [a, b] as [Uint8Array, Uint8Array]; }));
  fc.assert(
    fc.property(pair, ([a, b]) => {
      assert.is(hashToBigInt(a), naive(a));
      const sub = new Uint8Array(40);
      sub.set(a, 8);
      assert.is(hashToBigInt(sub.subarray(8)), naive(a), 'a view at an offset');
      assert.is(leq256(a, b), naive(a) <= naive(b));
    }),
    { seed: 20261123, numRuns: 2000 },
  );
  assert.ok(leq256(Buffer.alloc(32, 7), Buffer.alloc(32, 7)), 'equal meets');
});

test('TargetBytes gives the target as LE bytes and stays bounded', () => {
  const t = new TargetBytes();
  assert.equal(t.of(SCRYPT_DIFF1_TARGET), bigIntToHashLE(SCRYPT_DIFF1_TARGET));
  assert.is(t.of(SCRYPT_DIFF1_TARGET), t.of(SCRYPT_DIFF1_TARGET), 'cached');
  for (let d = 1; d < 500; d++) assert.equal(t.of(difficultyToTarget(d, SCRYPT_DIFF1_TARGET)), bigIntToHashLE(difficultyToTarget(d, SCRYPT_DIFF1_TARGET)));
});

test.run();
