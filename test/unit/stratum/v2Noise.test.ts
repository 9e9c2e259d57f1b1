/**
 * Noise NX pieces (src/stratum/v2/noise.ts, authority.ts): the AEAD against RFC 8439 §2.8.2 and
 * against @noble/ciphers, both handshake roles in memory, act 2 tampered at every byte, and the
 * certificate checks (signature, version, validity window with the 10 s leeway).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, randomBytes } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { isKabosuError } from '../../../src/core/errors';
import { ACT2_LEN, CipherState, NoiseInitiator, NoiseResponder } from '../../../src/stratum/v2/noise';
import { certificateProblem, signCertificate } from '../../../src/stratum/v2/authority';
import { ellswiftCreate, ellswiftDecode } from '../../../src/stratum/v2/ellswift';

test('ChaCha20-Poly1305: RFC 8439 §2.8.2 vector, node:crypto and @noble/ciphers agree', () => {
  const key = Buffer.from('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f', 'hex');
  const nonce = Buffer.from('070000004041424344454647', 'hex');
  const aad = Buffer.from('50515253c0c1c2c3c4c5c6c7', 'hex');
  const pt = Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  const ct = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  assert.is(ct.subarray(-16).toString('hex'), '1ae10b594f09e26a7e902ecbd0600691');
  assert.is(ct.subarray(0, 16).toString('hex'), 'd31a8d34648e60db7b86afbc53ef7ec2');
  assert.is(Buffer.from(chacha20poly1305(key, nonce, aad).encrypt(pt)).toString('hex'), ct.toString('hex'));
});

test('CipherState: nonce = 4 zero bytes ‖ u64 LE counter, one per message, equal to @noble/ciphers', () => {
  const k = randomBytes(32);
  const cs = new CipherState(k);
  for (let n = 0; n < 4; n++) {
    const ad = randomBytes(n * 7); const p = randomBytes(n * 13);
    const nonce = Buffer.alloc(12); nonce.writeBigUInt64LE(BigInt(n), 4);
    assert.is(cs.encrypt(ad, p).toString('hex'), Buffer.from(chacha20poly1305(k, nonce, ad).encrypt(p)).toString('hex'), `message ${n}`);
  }
  const rx = new CipherState(k);
  const tx = new CipherState(k);
  const c = tx.encrypt(Buffer.alloc(0), Buffer.from('x'));
  const bad = Buffer.from(c); bad[0] ^= 1;
  assert.throws(() => rx.decrypt(Buffer.alloc(0), bad, 'm'), (e: unknown) => isKabosuError(e) && e.code === 'KBS_E_SV2_DECRYPT');
  assert.is(rx.decrypt(Buffer.alloc(0), c, 'm').toString(), 'x', 'a failed tag does not move the counter');
});

const authority = schnorr.utils.randomSecretKey();
const authorityX = schnorr.getPublicKey(authority);
const staticKey = ellswiftCreate(undefined, true);
const staticX = ellswiftDecode(staticKey.pub);
const NOW = 1_800_000_000;

test('handshake in memory: act 1 is 64 bytes, act 2 is 234, both sides derive crossing transport keys', () => {
  const i = new NoiseInitiator();
  const r = new NoiseResponder(staticKey);
  const a1 = i.act1();
  assert.is(a1.length, 64);
  const { reply, keys: rk } = r.respond(a1, signCertificate(authority, staticX, NOW, NOW + 60));
  assert.is(reply.length, ACT2_LEN);
  const got = i.act2(reply);
  assert.is(got.staticX.toString('hex'), staticX.toString('hex'));
  assert.is(certificateProblem(got.cert, got.staticX, authorityX, NOW), undefined);
  assert.is(rk.recv.decrypt(Buffer.alloc(0), got.keys.send.encrypt(Buffer.alloc(0), Buffer.from('up')), 't').toString(), 'up');
  assert.is(got.keys.recv.decrypt(Buffer.alloc(0), rk.send.encrypt(Buffer.alloc(0), Buffer.from('down')), 't').toString(), 'down');
});

test('act 2 with any one byte flipped: refused (KBS_E_SV2_DECRYPT), never a key', () => {
  const cert = signCertificate(authority, staticX, NOW, NOW + 60);
  const e = ellswiftCreate();
  const base = (() => { const i = new NoiseInitiator(e); return { a1: i.act1() }; })();
  const reply = new NoiseResponder(staticKey).respond(base.a1, cert).reply;
  for (let at = 0; at < ACT2_LEN; at += 3) {
    const i = new NoiseInitiator(e);
    i.act1();
    const bad = Buffer.from(reply); bad[at] ^= 0x10;
    assert.throws(() => i.act2(bad), (err: unknown) => isKabosuError(err) && err.code === 'KBS_E_SV2_DECRYPT', `byte ${at}`);
  }
});

test('certificate: wrong authority, wrong static key, version, and the validity window with 10 s leeway', () => {
  const cert = signCertificate(authority, staticX, NOW, NOW + 60);
  assert.match(certificateProblem(cert, staticX, schnorr.getPublicKey(schnorr.utils.randomSecretKey()), NOW)!, /not signed by the authority key/);
  assert.match(certificateProblem(cert, ellswiftDecode(ellswiftCreate().pub), authorityX, NOW)!, /not signed by the authority key/);
  const v1 = Buffer.from(cert); v1.writeUInt16LE(1, 0);
  assert.match(certificateProblem(v1, staticX, authorityX, NOW)!, /version 1/);
  assert.is(certificateProblem(cert, staticX, authorityX, NOW - 10), undefined);
  assert.match(certificateProblem(cert, staticX, authorityX, NOW - 11)!, /not valid before/);
  assert.is(certificateProblem(cert, staticX, authorityX, NOW + 70), undefined);
  assert.match(certificateProblem(cert, staticX, authorityX, NOW + 71)!, /expired/);
});

test.run();
