/**
 * Stratum V2 against published vectors: every row of the BIP324 ElligatorSwift decode, inverse
 * and ECDH CSVs (test/vectors/stratum-v2), the Noise protocol-name hash (stratum.md §3.1), the
 * authority-key base58check vectors (§3.5), and the byte-level frames of §3.9 (encoded and decoded).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bip324Ecdh, ellswiftCreate, ellswiftDecode, ellswiftEcdhX, xswiftec, xswiftecInv } from '../../../src/stratum/v2/ellswift';
import { decodeAuthorityKey, encodeAuthorityKey } from '../../../src/stratum/v2/authority';
import { decodeFrame, decodeHeader, encodeFrame } from '../../../src/stratum/v2/frame';
import { PROTOCOL_NAME, SymmetricState } from '../../../src/stratum/v2/noise';
import { ChannelJobs } from '../../../src/stratum/v2/channelJobs';
import { headerFor } from '../../../src/work/build';
import type { Fields, MessageName } from '../../../src/stratum/v2/messages';

const DIR = join(__dirname, '../../vectors/stratum-v2');
function csv(name: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(join(DIR, name), 'utf8').trim().split('\n');
  const keys = head.split(',');
  return rows.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
}
const hex = (s: string) => Buffer.from(s, 'hex');
const big = (s: string) => BigInt('0x' + s);
const h64 = (n: bigint) => n.toString(16).padStart(64, '0');

test('BIP324 ellswift_decode vectors: every row decodes to its x', () => {
  const rows = csv('bip324-ellswift_decode_test_vectors.csv');
  assert.ok(rows.length >= 70, `${rows.length} rows`);
  for (const r of rows) assert.is(ellswiftDecode(hex(r.ellswift)).toString('hex'), r.x, r.comment);
});

test('BIP324 xswiftec_inv vectors: all 8 cases of every row (t, or none), and each t decodes back to x', () => {
  const rows = csv('bip324-xswiftec_inv_test_vectors.csv');
  assert.ok(rows.length >= 30);
  let some = 0;
  for (const r of rows) {
    for (let c = 0; c < 8; c++) {
      const t = xswiftecInv(big(r.x), big(r.u), c);
      assert.is(t === null ? '' : h64(t), r[`case${c}_t`], `u=${r.u.slice(0, 8)} case ${c}`);
      if (t !== null) { some++; assert.is(h64(xswiftec(big(r.u), t)), r.x); }
    }
  }
  assert.ok(some > 50);
});

test('BIP324 packet vectors, ECDH columns: x of our key, both decodes, shared x and the tagged shared secret', () => {
  for (const r of csv('bip324-packet_encoding-ecdh-columns.csv')) {
    const priv = hex(r.in_priv_ours); const ours = hex(r.in_ellswift_ours); const theirs = hex(r.in_ellswift_theirs);
    assert.is(ellswiftDecode(ours).toString('hex'), r.mid_x_ours);
    assert.is(ellswiftDecode(theirs).toString('hex'), r.mid_x_theirs);
    assert.is(ellswiftEcdhX(theirs, priv).toString('hex'), r.mid_x_shared);
    const init = r.in_initiating === '1';
    assert.is(bip324Ecdh(priv, theirs, init ? ours : theirs, init ? theirs : ours).toString('hex'), r.mid_shared_secret, `row ${r.in_idx}`);
  }
});

test('ellswiftCreate: the encoding decodes to x(priv*G); two parties derive the same secret', () => {
  const a = ellswiftCreate(); const b = ellswiftCreate(undefined, true);
  assert.is(bip324Ecdh(a.priv, b.pub, a.pub, b.pub).toString('hex'), bip324Ecdh(b.priv, a.pub, a.pub, b.pub).toString('hex'));
  assert.is(ellswiftEcdhX(b.pub, a.priv).toString('hex'), ellswiftEcdhX(a.pub, b.priv).toString('hex'));
});

test('Noise: protocol name hash and initial h are the spec/SRI constants (stratum.md §3.1)', () => {
  assert.is(createHash('sha256').update(PROTOCOL_NAME).digest('hex'), '2eb47881208e9eee1f669f67c66ee70ea9ea88090d503fe830dc4bc83e29bf10');
  const ss = new SymmetricState();
  assert.is(ss.ck.toString('hex'), '2eb47881208e9eee1f669f67c66ee70ea9ea88090d503fe830dc4bc83e29bf10');
  assert.is(ss.h.toString('hex'), '922fa32e4f487c0d59caa3bed7899ce3d98db7e13dbd3b7cf2d23dd433dc6104');
});

test('authority key base58check: the spec vector and the SRI example pool key (stratum.md §3.5)', () => {
  assert.is(encodeAuthorityKey(hex('76637000979c1c11af0c300bcd8c7fe48610fce9b9c11e3daee35ae0b08a7455')), '9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh');
  assert.is(decodeAuthorityKey('9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh').toString('hex'), '76637000979c1c11af0c300bcd8c7fe48610fce9b9c11e3daee35ae0b08a7455');
  assert.is(decodeAuthorityKey('9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72').toString('hex'), '24ee3c3804a1aaa4c03b80ea19f7a5863c916e8994b7db94a3bad7ee092b6ce7');
  // one character changed: checksum
  assert.throws(() => decodeAuthorityKey('9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH73'), (e: Error & { code?: string }) => e.code === 'KBS_E_SV2_BAD_AUTHORITY_KEY' && /checksum/.test(e.message));
  assert.throws(() => decodeAuthorityKey('0OIl'), /not base58/);
});

const ONE = (() => { const b = Buffer.alloc(32); b[28] = 0xff; b[29] = 0xff; return b; })(); // scrypt diff 1, LE
const FF = Buffer.alloc(32, 0xff);
const ROOT = hex('0b1edc1ccf82d3214423fc68234f4946119e39df2cc2137e31ebc186191d5422');
const PREV = hex('0413cf7d02794eb094cd66404e46aa816679e12f6fdf9ee11f0e97337702b6e0');
const FRAMES: { [N in MessageName]?: [Fields<N>, string] } = {
  SetupConnection: [{ protocol: 0, minVersion: 2, maxVersion: 2, flags: 1, endpointHost: '127.0.0.1', endpointPort: 34255, vendor: 'kabosu', hardwareVersion: 'sim-L7', firmware: 'kabosu/0.1.0', deviceId: '' },
    '000000310000000200020001000000093132372e302e302e31cf85066b61626f73750673696d2d4c370c6b61626f73752f302e312e3000'],
  SetupConnectionSuccess: [{ usedVersion: 2, flags: 0 }, '000001060000020000000000'],
  OpenStandardMiningChannel: [{ requestId: 1, userIdentity: 'kabosu.worker1', nominalHashRate: Math.fround(9.5e9), maxTarget: FF },
    '000010370000010000000e6b61626f73752e776f726b657231a08f0d50ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'],
  OpenStandardMiningChannelSuccess: [{ requestId: 1, channelId: 1, target: ONE, extranoncePrefix: hex('00000001'), groupChannelId: 0 },
    '000011310000010000000100000000000000000000000000000000000000000000000000000000000000ffff0000040000000100000000'],
  NewMiningJob: [{ channelId: 1, jobId: 1, minNtime: null, version: 2, merkleRoot: ROOT }, '0080152d0000010000000100000000020000000b1edc1ccf82d3214423fc68234f4946119e39df2cc2137e31ebc186191d5422'],
  SetNewPrevHash: [{ channelId: 1, jobId: 1, prevHash: PREV, minNtime: 0x53178f9b, nbits: 0x1b44dfdb }, '00802030000001000000010000000413cf7d02794eb094cd66404e46aa816679e12f6fdf9ee11f0e97337702b6e09b8f1753dbdf441b'],
  SetTarget: [{ channelId: 1, maximumTarget: ONE }, '0080212400000100000000000000000000000000000000000000000000000000000000000000ffff0000'],
  SubmitSharesStandard: [{ channelId: 1, sequenceNumber: 0, jobId: 1, nonce: 0x000459db, ntime: 0x53178f9b, version: 2 }, '00801a180000010000000000000001000000db5904009b8f175302000000'],
  SubmitSharesSuccess: [{ channelId: 1, lastSequenceNumber: 0, newSubmitsAcceptedCount: 1, newSharesSum: 1n }, '00801c1400000100000000000000010000000100000000000000'],
  SubmitSharesError: [{ channelId: 1, sequenceNumber: 1, errorCode: 'difficulty-too-low' }, '00801d1b0000010000000100000012646966666963756c74792d746f6f2d6c6f77'],
};

for (const [name, [fields, bytes]] of Object.entries(FRAMES) as [MessageName, [Fields<MessageName>, string]][]) {
  test(`stratum.md §3.9 frame ${name}: encodes to the listed bytes and decodes back`, () => {
    assert.is(encodeFrame(name, fields as never).toString('hex'), bytes);
    const b = hex(bytes);
    const d = decodeFrame(decodeHeader(b.subarray(0, 6)), b.subarray(6));
    assert.is(d.kind, 'message');
    if (d.kind === 'message') { assert.is(d.msg.name, name); assert.equal(d.msg.fields, fields); }
  });
}

test('the header rebuilt from the §3.9 SV2 job fields is the 1.7-A share header (no V1 prevhash word swap)', () => {
  const ch = new ChannelJobs(1, ONE, hex('00000001'));
  ch.newMiningJob({ channelId: 1, jobId: 1, minNtime: null, version: 2, merkleRoot: ROOT });
  const u = ch.setNewPrevHash({ channelId: 1, jobId: 1, prevHash: PREV, minNtime: 0x53178f9b, nbits: 0x1b44dfdb });
  assert.is(u.kind, 'job');
  if (u.kind !== 'job') return;
  const h = headerFor(u.job, Buffer.alloc(4), u.job.ntime);
  h.writeUInt32LE(0x000459db, 76);
  assert.is(h.toString('hex'), '020000000413cf7d02794eb094cd66404e46aa816679e12f6fdf9ee11f0e97337702b6e00b1edc1ccf82d3214423fc68234f4946119e39df2cc2137e31ebc186191d54229b8f1753dbdf441bdb590400');
  assert.ok(Math.abs(u.job.difficulty - 1) < 1e-9, `difficulty ${u.job.difficulty}`);
  assert.ok(u.job.difficulty >= 1, 'rounded toward a harder local target, never easier than the pool');
});

test.run();
