import { test } from 'uvu';
import * as assert from 'uvu/assert';
import vectors from '../../vectors/pow/headers.json';
import { getAlgorithm, displayHex, hashToBigInt, headerFromHex, PowInputError, SCRYPT_DIFF1_TARGET } from '../../../src/pow';

for (const v of vectors.headers) {
  test(`scrypt of ${v.id} matches the published PoW hash (${v.cite})`, async () => {
    const h = await getAlgorithm('scrypt').hash(headerFromHex(v.header));
    assert.is(displayHex(h), v.scrypt);
  });
  test(`sha256d of ${v.id} is its block hash`, async () => {
    const h = await getAlgorithm('sha256d').hash(headerFromHex(v.header));
    assert.is(displayHex(h), v.sha256d);
  });
}

test('verify is exact at the boundary: hash == target passes, target = hash - 1 fails', async () => {
  const header = headerFromHex(vectors.headers[0].header);
  const scrypt = getAlgorithm('scrypt');
  const hv = hashToBigInt(await scrypt.hash(header));
  const r = await scrypt.verify([header, header, header], [hv, hv - 1n, hv + 1n]);
  assert.equal(r.map((x) => x.valid), [true, false, true]);
});

test('the genesis header meets scrypt difficulty 1 (its PoW is ~0x0000050c...)', async () => {
  const header = headerFromHex(vectors.headers[0].header);
  const [r] = await getAlgorithm('scrypt').verify([header], [SCRYPT_DIFF1_TARGET]);
  assert.ok(r.valid);
});

test('bad input gets a typed error: wrong length, non-hex, mismatched targets, oversize target', async () => {
  const scrypt = getAlgorithm('scrypt');
  assert.throws(() => headerFromHex('00'), (e: unknown) => e instanceof PowInputError && /160 hex digits/.test((e as Error).message));
  assert.throws(() => headerFromHex('zz'.repeat(80)), (e: unknown) => e instanceof PowInputError && /not hex/.test((e as Error).message));
  for (const bad of [() => scrypt.hash(new Uint8Array(79)), () => scrypt.verify([new Uint8Array(80)], []), () => scrypt.verify([new Uint8Array(80)], [1n << 256n])]) {
    try {
      await bad();
      assert.unreachable('should reject');
    } catch (e) {
      assert.instance(e, PowInputError);
    }
  }
});

test('an unknown algorithm name is refused with the list of valid ones', () => {
  assert.throws(() => getAlgorithm('x11' as never), /unknown proof-of-work algorithm 'x11'/);
});

test.run();
