/**
 * Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256 as SV2 uses it (spec §4.3-§4.5, stratum.md §3.4):
 * CipherState, SymmetricState (MixKey / MixHash / EncryptAndHash), and both handshake roles as
 * pure byte-in/byte-out steps. Act 1 is 64 bytes, act 2 is 234 = 64 + (64+16) + (74+16); the
 * spec's "170 bytes" is a leftover of 32-byte keys (stratum.md §3.4). No sockets here.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { ProtocolError } from '../../core/errors';
import { bip324Ecdh, bip324EcdhX, ellswiftCreate, ellswiftDecode, type EllswiftKey } from './ellswift';

export const PROTOCOL_NAME = 'Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256';
export const ELLSWIFT_LEN = 64;
export const MAC_LEN = 16;
export const CERT_LEN = 74;
export const ACT1_LEN = ELLSWIFT_LEN;
export const ACT2_LEN = ELLSWIFT_LEN + ELLSWIFT_LEN + MAC_LEN + CERT_LEN + MAC_LEN; // 234

const sha256 = (...parts: Uint8Array[]): Buffer => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };
const hmac = (key: Uint8Array, ...parts: Uint8Array[]): Buffer => { const h = createHmac('sha256', key); for (const p of parts) h.update(p); return h.digest(); };

/** HKDF as the spec defines it: two outputs of HMAC-SHA256 from a temp key (spec §4.3). */
export function hkdf2(ck: Uint8Array, ikm: Uint8Array): [Buffer, Buffer] {
  const t = hmac(ck, ikm);
  const o1 = hmac(t, Buffer.from([1]));
  return [o1, hmac(t, o1, Buffer.from([2]))];
}

function authFail(what: string): never {
  throw new ProtocolError('KBS_E_SV2_DECRYPT', `${what}: authentication tag mismatch (tampered, corrupted or out-of-order bytes)`, {
    hint: 'the connection is dropped; if it repeats, something between kabosu and the pool changes the bytes',
  });
}

/**
 * ChaCha20-Poly1305 (RFC 8439) with a 96-bit nonce of 4 zero bytes ‖ u64 LE counter (SRI
 * cipher_state.rs). node:crypto (OpenSSL) rather than @noble/ciphers: about 3x less host time
 * per share frame; the unit tests check both against each other and the RFC 8439 vector.
 */
export class CipherState {
  private n = 0n;
  constructor(private readonly k: Buffer) {}
  private nonce(): Buffer {
    const b = Buffer.alloc(12);
    b.writeBigUInt64LE(this.n, 4);
    return b;
  }
  encrypt(ad: Uint8Array, plain: Uint8Array): Buffer {
    const c = createCipheriv('chacha20-poly1305', this.k, this.nonce(), { authTagLength: MAC_LEN });
    if (ad.length) c.setAAD(ad, { plaintextLength: plain.length });
    const out = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    this.n++;
    return out;
  }
  /** Throws KBS_E_SV2_DECRYPT on a bad tag; the counter does not move then. */
  decrypt(ad: Uint8Array, cipher: Uint8Array, what: string): Buffer {
    if (cipher.length < MAC_LEN) authFail(what);
    const body = cipher.subarray(0, cipher.length - MAC_LEN);
    let p: Buffer;
    try {
      const d = createDecipheriv('chacha20-poly1305', this.k, this.nonce(), { authTagLength: MAC_LEN });
      d.setAuthTag(cipher.subarray(cipher.length - MAC_LEN));
      if (ad.length) d.setAAD(ad, { plaintextLength: body.length });
      p = Buffer.concat([d.update(body), d.final()]);
    } catch { authFail(what); }
    this.n++;
    return p;
  }
}

export class SymmetricState {
  ck: Buffer;
  h: Buffer;
  private cs: CipherState | undefined;
  constructor() {
    this.ck = sha256(Buffer.from(PROTOCOL_NAME)); // the name is longer than 32 bytes: hashed
    this.h = sha256(this.ck); // = MixHash(empty prologue)
  }
  mixHash(d: Uint8Array): void { this.h = sha256(this.h, d); }
  mixKey(ikm: Uint8Array): void {
    const [ck, k] = hkdf2(this.ck, ikm);
    this.ck = ck;
    this.cs = new CipherState(k);
  }
  encryptAndHash(p: Uint8Array): Buffer {
    const c = this.cs ? this.cs.encrypt(this.h, p) : Buffer.from(p);
    this.mixHash(c);
    return c;
  }
  decryptAndHash(c: Uint8Array, what: string): Buffer {
    const p = this.cs ? this.cs.decrypt(this.h, c, what) : Buffer.from(c);
    this.mixHash(c);
    return p;
  }
  /** (k1, k2): the initiator sends with k1, the responder with k2. */
  split(): [CipherState, CipherState] {
    const [k1, k2] = hkdf2(this.ck, Buffer.alloc(0));
    return [new CipherState(k1), new CipherState(k2)];
  }
}

export interface TransportKeys { send: CipherState; recv: CipherState }

/** Client side: `act1()` -> 64 bytes to send; `act2(234 bytes)` -> the pool's static key, its certificate bytes and the transport keys. */
export class NoiseInitiator {
  private readonly ss = new SymmetricState();
  private readonly e: EllswiftKey;
  constructor(ephemeral?: EllswiftKey) { this.e = ephemeral ?? ellswiftCreate(); }
  act1(): Buffer {
    this.ss.mixHash(this.e.pub);
    this.ss.encryptAndHash(Buffer.alloc(0));
    return Buffer.from(this.e.pub);
  }
  act2(msg: Buffer): { staticKey: Buffer; staticX: Buffer; cert: Buffer; keys: TransportKeys } {
    if (msg.length !== ACT2_LEN) throw new ProtocolError('KBS_E_SV2_HANDSHAKE', `handshake act 2 must be ${ACT2_LEN} bytes, got ${msg.length}`);
    const re = msg.subarray(0, 64);
    this.ss.mixHash(re);
    this.ss.mixKey(bip324Ecdh(this.e.priv, re, this.e.pub, re));
    const rs = this.ss.decryptAndHash(msg.subarray(64, 144), 'handshake static key');
    const staticX = ellswiftDecode(rs);
    this.ss.mixKey(bip324EcdhX(this.e.priv, staticX, this.e.pub, rs));
    const cert = this.ss.decryptAndHash(msg.subarray(144), 'handshake certificate');
    const [send, recv] = this.ss.split();
    return { staticKey: rs, staticX, cert, keys: { send, recv } };
  }
}

/** Pool side: `respond(64 bytes from the client, certificate(staticX))` -> 234 bytes to send and the transport keys. */
export class NoiseResponder {
  private readonly ss = new SymmetricState();
  constructor(private readonly s: EllswiftKey, private readonly e: EllswiftKey = ellswiftCreate()) {}
  respond(act1: Buffer, cert: Buffer): { reply: Buffer; keys: TransportKeys } {
    if (act1.length !== ACT1_LEN) throw new ProtocolError('KBS_E_SV2_HANDSHAKE', `handshake act 1 must be ${ACT1_LEN} bytes, got ${act1.length}`);
    if (cert.length !== CERT_LEN) throw new RangeError('certificate must be 74 bytes');
    this.ss.mixHash(act1);
    this.ss.decryptAndHash(Buffer.alloc(0), 'act 1');
    this.ss.mixHash(this.e.pub);
    this.ss.mixKey(bip324Ecdh(this.e.priv, act1, act1, this.e.pub));
    const c1 = this.ss.encryptAndHash(this.s.pub);
    this.ss.mixKey(bip324Ecdh(this.s.priv, act1, act1, this.s.pub));
    const c2 = this.ss.encryptAndHash(cert);
    const [k1, k2] = this.ss.split();
    return { reply: Buffer.concat([this.e.pub, c1, c2]), keys: { send: k2, recv: k1 } };
  }
}
