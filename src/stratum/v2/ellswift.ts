/**
 * BIP324 ElligatorSwift on secp256k1 (@noble/curves 2.4 has no ellswift, stratum.md §5), written
 * from the BIP text and bip-0324/reference.py using noble's field and point arithmetic:
 * - `ellswiftDecode(64 bytes)` -> x (XSwiftEC(u, t), u and t big-endian, reduced mod p);
 * - `xswiftecInv(x, u, case)` -> t or null (the 8 inverse branches, reference.py `xswiftec_inv`);
 * - `ellswiftCreate(priv?)` -> { priv, pub64 } (random u and case until the inverse exists);
 * - `ellswiftEcdhX(theirs64, priv)` -> x of priv * lift_x(decode(theirs)) (32 bytes BE);
 * - `bip324Ecdh(priv, initiator64, responder64, x)`: SHA256 tagged "bip324_ellswift_xonly_ecdh".
 * Checked against every row of the three BIP324 CSVs (test/unit/stratum/v2/ellswift.test.ts).
 * Scalar multiplications (key generation, ECDH) run in OpenSSL (node:crypto ECDH on secp256k1,
 * about 4x faster than a pure-JS ladder); the encoding maths is bigint code here, not constant
 * time: a pool client's session keys, not a wallet.
 */
import { randomBytes, createHash, createECDH } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';

const Fp = secp256k1.Point.Fp;
const P = Fp.ORDER;
const N = secp256k1.Point.Fn.ORDER;
const md = (a: bigint): bigint => { const r = a % P; return r >= 0n ? r : r + P; };
const mul = (a: bigint, b: bigint): bigint => (a * b) % P;
const inv = (a: bigint): bigint => Fp.inv(md(a));
const div = (a: bigint, b: bigint): bigint => mul(md(a), inv(b));
const SQRT_EXP = (P + 1n) / 4n;

/** A square root mod p, or null (p = 3 mod 4). */
function sqrt(a: bigint): bigint | null {
  const v = md(a);
  const s = Fp.pow(v, SQRT_EXP);
  return mul(s, s) === v ? s : null;
}
const isValidX = (x: bigint): boolean => sqrt(mul(mul(x, x), x) + 7n) !== null;
const MINUS_3_SQRT = sqrt(P - 3n)!;

const toBig = (b: Uint8Array): bigint => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const to32 = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');

/** XSwiftEC(u, t) -> x on the curve (reference.py `xswiftec`). */
export function xswiftec(uIn: bigint, tIn: bigint): bigint {
  let u = md(uIn); let t = md(tIn);
  if (u === 0n) u = 1n;
  if (t === 0n) t = 1n;
  const u3p7 = md(mul(mul(u, u), u) + 7n);
  if (md(u3p7 + mul(t, t)) === 0n) t = md(2n * t);
  const X = div(u3p7 - mul(t, t), 2n * t);
  const Y = div(X + t, mul(MINUS_3_SQRT, u));
  const XY = div(X, Y);
  for (const x of [md(u + 4n * mul(Y, Y)), div(-XY - u, 2n), div(XY - u, 2n)]) if (isValidX(x)) return x;
  throw new Error('xswiftec: no valid x (impossible for field elements)');
}

/** Given x and u, a t with xswiftec(u, t) = x for branch `c` (0..7), or null. */
export function xswiftecInv(xIn: bigint, uIn: bigint, c: number): bigint | null {
  const x = md(xIn); const u = md(uIn);
  const u3p7 = md(mul(mul(u, u), u) + 7n);
  let v: bigint; let s: bigint;
  if ((c & 2) === 0) {
    if (isValidX(md(-x - u))) return null;
    v = (c & 1) === 0 ? x : md(-x - u);
    s = div(-u3p7, mul(u, u) + mul(u, v) + mul(v, v));
  } else {
    s = md(x - u);
    if (s === 0n) return null;
    let r = sqrt(mul(-s, md(4n * u3p7 + mul(3n * s, mul(u, u)))));
    if (r === null) return null;
    if (c & 1) { if (r === 0n) return null; r = md(-r); }
    v = div(-u + div(r, s), 2n);
  }
  let w = sqrt(s);
  if (w === null) return null;
  if (c & 4) w = md(-w);
  return mul(w, md(div(mul(u, MINUS_3_SQRT - 1n), 2n) - v));
}

/** 64-byte ElligatorSwift encoding -> 32-byte x (BE). */
export function ellswiftDecode(enc: Uint8Array): Buffer {
  if (enc.length !== 64) throw new RangeError(`an ElligatorSwift key is 64 bytes, got ${enc.length}`);
  return to32(xswiftec(toBig(enc.subarray(0, 32)), toBig(enc.subarray(32))));
}

/** Random (u, t) encoding of x. */
export function ellswiftEncodeX(x: bigint, rnd: (n: number) => Buffer = randomBytes): Buffer {
  for (;;) {
    const u = md(toBig(rnd(32)));
    const c = rnd(1)[0] & 7;
    if (u === 0n) continue;
    const t = xswiftecInv(x, u, c);
    if (t !== null) return Buffer.concat([to32(u), to32(t)]);
  }
}

/** The x coordinate of priv * G. */
export function pubX(priv: Uint8Array): bigint {
  return toBig(pubCompressed(priv).subarray(1));
}

function pubCompressed(priv: Uint8Array): Buffer {
  toScalar(priv);
  const e = createECDH('secp256k1');
  e.setPrivateKey(priv);
  return e.getPublicKey(null, 'compressed');
}

function toScalar(priv: Uint8Array): bigint {
  const d = toBig(priv);
  if (priv.length !== 32 || d === 0n || d >= N) throw new RangeError('secret key must be 32 bytes in 1..n-1');
  return d;
}

export interface EllswiftKey { priv: Buffer; pub: Buffer }

/** A key pair with its 64-byte encoding; `evenY` negates the secret so that priv*G has even Y (SRI responder static key). */
export function ellswiftCreate(priv?: Uint8Array, evenY = false): EllswiftKey {
  let sk: Buffer;
  if (priv) { toScalar(priv); sk = Buffer.from(priv); } else {
    const e = createECDH('secp256k1');
    e.generateKeys();
    sk = Buffer.from(e.getPrivateKey().toString('hex').padStart(64, '0'), 'hex');
  }
  const pub = pubCompressed(sk);
  if (evenY && pub[0] === 0x03) sk = to32(N - toBig(sk));
  return { priv: sk, pub: ellswiftEncodeX(toBig(pub.subarray(1))) };
}

/** x of priv * lift_x(decode(theirs)), 32 bytes BE (either lift gives the same x). */
export function ellswiftEcdhX(theirs: Uint8Array, priv: Uint8Array): Buffer {
  return ecdhX(ellswiftDecode(theirs), priv);
}

function ecdhX(x: Buffer, priv: Uint8Array): Buffer {
  toScalar(priv);
  const e = createECDH('secp256k1');
  e.setPrivateKey(priv);
  return e.computeSecret(Buffer.concat([Buffer.from([0x02]), x]));
}

const ECDH_TAG = createHash('sha256').update('bip324_ellswift_xonly_ecdh').digest();

/** BIP324 v2_ecdh: tagged hash of the initiator's encoding, the responder's, and the shared x. */
export function bip324Ecdh(priv: Uint8Array, theirs: Uint8Array, initiator: Uint8Array, responder: Uint8Array): Buffer {
  return bip324EcdhX(priv, ellswiftDecode(theirs), initiator, responder);
}

/** The same with their key already decoded to x (32 bytes BE). */
export function bip324EcdhX(priv: Uint8Array, theirX: Buffer, initiator: Uint8Array, responder: Uint8Array): Buffer {
  const x = ecdhX(theirX, priv);
  return createHash('sha256').update(ECDH_TAG).update(ECDH_TAG).update(initiator).update(responder).update(x).digest();
}
