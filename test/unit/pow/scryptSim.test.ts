import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { getAlgorithm, scryptSimBase, scryptSimHash, scryptSimNonce, difficultyToTarget, SCRYPT_DIFF1_TARGET, hashToBigInt } from '../../../src/pow';

const header = Buffer.alloc(80, 0x5a);

function withNonce(n: number): Buffer {
  const h = Buffer.from(header);
  h.writeUInt32BE(n >>> 0, 76);
  return h;
}

test('a nonce for any difficulty from 1/65536 to 2^40 meets its target, keeps its fixed bits, and verify agrees', async () => {
  const base = await scryptSimBase(header);
  const sim = getAlgorithm('scrypt-sim');
  const fixedMask = 0xfff00000; // BM1485: core 28..31, chip address 20..27
  for (const diff of [1 / 65536, 1, 256, 65536, 2 ** 24, 2 ** 40]) {
    const target = difficultyToTarget(diff, SCRYPT_DIFF1_TARGET);
    const fixedValue = 0x3a500000;
    const n = scryptSimNonce(base, { fixedMask, fixedValue, target, salt: 1 });
    assert.is((n & fixedMask) >>> 0, fixedValue, `fixed bits kept at diff ${diff}`);
    assert.ok(hashToBigInt(scryptSimHash(base, n)) <= target, `meets diff ${diff}`);
    const [r] = await sim.verify([withNonce(n)], [target]);
    assert.ok(r.valid, `verify agrees at diff ${diff}`);
    assert.ok(r.hash.equals(scryptSimHash(base, n)));
  }
});

test('hits are spread over [0, target] like real hashes that meet it (median near target/2)', async () => {
  const base = await scryptSimBase(header);
  const target = difficultyToTarget(256, SCRYPT_DIFF1_TARGET);
  const ratios: number[] = [];
  for (let salt = 0; salt < 400; salt++) {
    const n = scryptSimNonce(base, { fixedMask: 0, fixedValue: 0, target, salt });
    ratios.push(Number((hashToBigInt(scryptSimHash(base, n)) * 1000n) / target) / 1000);
  }
  ratios.sort((a, b) => a - b);
  const median = ratios[200];
  assert.ok(median > 0.4 && median < 0.6, `median ${median}`);
  assert.ok(new Set(ratios).size > 300, 'different salts give different nonces');
});

test('a BM1485 chip core (12 fixed bits) has 32 distinct nonces per work item and difficulty', async () => {
  const base = await scryptSimBase(header);
  const target = difficultyToTarget(256, SCRYPT_DIFF1_TARGET);
  const seen = new Set<number>();
  for (let salt = 0; salt < 200; salt++) seen.add(scryptSimNonce(base, { fixedMask: 0xfff00000, fixedValue: 0x51200000, target, salt }));
  assert.is(seen.size, 32);
  for (let salt = 0; salt < 32; salt++) assert.ok(new Set([...seen]).has(scryptSimNonce(base, { fixedMask: 0xfff00000, fixedValue: 0x51200000, target, salt })));
});

test('random (wrong) nonces almost never pass verification at a ticket target', async () => {
  const sim = getAlgorithm('scrypt-sim');
  const target = difficultyToTarget(32, SCRYPT_DIFF1_TARGET);
  const headers = Array.from({ length: 200 }, () => withNonce(randomBytes(4).readUInt32BE(0)));
  const results = await sim.verify(headers, headers.map(() => target));
  const passed = results.filter((r) => r.valid).length;
  assert.ok(passed <= 3, `${passed} of 200 random nonces passed`);
});

test('the sim hash depends on the header: a nonce found for one work item fails on another', async () => {
  const base = await scryptSimBase(header);
  const target = difficultyToTarget(1024, SCRYPT_DIFF1_TARGET);
  const n = scryptSimNonce(base, { fixedMask: 0, fixedValue: 0, target, salt: 3 });
  const other = withNonce(n);
  other[4] ^= 1;
  const [r] = await getAlgorithm('scrypt-sim').verify([other], [target]);
  assert.not.ok(r.valid);
});

test('fixed bits in the low 16 bits are refused', async () => {
  const base = await scryptSimBase(header);
  assert.throws(() => scryptSimNonce(base, { fixedMask: 0xff, fixedValue: 0, target: 1n << 200n, salt: 0 }), /bits 0..15 free/);
});

test.run();
