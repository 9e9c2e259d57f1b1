/**
 * The pool's authority: the key in the URL (base58check of `[0x01, 0x00] ‖ xonly32`, spec §4.7)
 * and the certificate (SIGNATURE_NOISE_MESSAGE, spec §4.5.2, stratum.md §3.5):
 * `version U16 | valid_from U32 | not_valid_after U32 | signature 64`, the signature a BIP340
 * Schnorr signature by the authority key over
 * `SHA256(version_le2 ‖ valid_from_le4 ‖ not_valid_after_le4 ‖ server_static_xonly32)`.
 * Valid when `valid_from - 10 <= now <= not_valid_after + 10` (SRI TIME_LEEWAY = 10 s).
 */
import { createHash } from 'node:crypto';
import { schnorr } from '@noble/curves/secp256k1.js';
import { ConfigError, ProtocolError } from '../../core/errors';
import { CERT_LEN } from './noise';

export const CERT_TIME_LEEWAY_S = 10;
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

export function base58Encode(b: Uint8Array): string {
  let n = BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
  let s = '';
  while (n > 0n) { s = ALPHABET[Number(n % 58n)] + s; n /= 58n; }
  for (const x of b) { if (x !== 0) break; s = '1' + s; }
  return s;
}

export function base58Decode(s: string): Buffer | undefined {
  let n = 0n;
  for (const ch of s) {
    const d = ALPHABET.indexOf(ch);
    if (d < 0) return undefined;
    n = n * 58n + BigInt(d);
  }
  let hex = n === 0n ? '' : n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')]);
}

/** x-only authority key -> the URL form. */
export function encodeAuthorityKey(xonly: Uint8Array): string {
  const payload = Buffer.concat([Buffer.from([1, 0]), xonly]);
  return base58Encode(Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]));
}

/** The URL form -> 32-byte x-only key; ConfigError naming what is wrong. */
export function decodeAuthorityKey(s: string): Buffer {
  const fail = (why: string): never => {
    throw new ConfigError('KBS_E_SV2_BAD_AUTHORITY_KEY', `pool authority key '${s.slice(0, 80)}': ${why}`, {
      hint: 'copy the authority_public_key the pool publishes (base58check, 53 characters); `kabosu pool --v2` prints its own',
    });
  };
  const raw = base58Decode(s) ?? fail('not base58');
  if (raw.length !== 38) fail(`decodes to ${raw.length} bytes, expected 38`);
  const payload = raw.subarray(0, 34);
  if (!sha256(sha256(payload)).subarray(0, 4).equals(raw.subarray(34))) fail('checksum mismatch (a typo?)');
  if (payload[0] !== 1 || payload[1] !== 0) fail(`unknown key version ${payload[0]}.${payload[1]}`);
  const x = Buffer.from(payload.subarray(2));
  try { schnorr.utils.lift_x(BigInt('0x' + x.toString('hex'))); } catch { fail('not a point on secp256k1'); }
  return x;
}

export interface Certificate { version: number; validFrom: number; notValidAfter: number; signature: Buffer }

const signedHash = (c: Omit<Certificate, 'signature'>, staticX: Uint8Array): Buffer => {
  const b = Buffer.alloc(10);
  b.writeUInt16LE(c.version, 0); b.writeUInt32LE(c.validFrom >>> 0, 2); b.writeUInt32LE(c.notValidAfter >>> 0, 6);
  return sha256(Buffer.concat([b, staticX]));
};

export function encodeCertificate(c: Certificate): Buffer {
  const b = Buffer.alloc(CERT_LEN);
  b.writeUInt16LE(c.version, 0); b.writeUInt32LE(c.validFrom >>> 0, 2); b.writeUInt32LE(c.notValidAfter >>> 0, 6);
  c.signature.copy(b, 10);
  return b;
}

export function decodeCertificate(b: Buffer): Certificate {
  if (b.length !== CERT_LEN) throw new ProtocolError('KBS_E_SV2_CERT', `certificate must be ${CERT_LEN} bytes, got ${b.length}`);
  return { version: b.readUInt16LE(0), validFrom: b.readUInt32LE(2), notValidAfter: b.readUInt32LE(6), signature: Buffer.from(b.subarray(10)) };
}

/** The pool side: a certificate for its static key signed by the authority secret. */
export function signCertificate(authoritySecret: Uint8Array, staticX: Uint8Array, validFrom: number, notValidAfter: number): Buffer {
  const c = { version: 0, validFrom, notValidAfter };
  return encodeCertificate({ ...c, signature: Buffer.from(schnorr.sign(signedHash(c, staticX), authoritySecret)) });
}

/** Why the certificate must be refused, or undefined when it is good. */
export function certificateProblem(certBytes: Buffer, staticX: Uint8Array, authorityX: Uint8Array, nowSec: number): string | undefined {
  const c = decodeCertificate(certBytes);
  if (c.version !== 0) return `certificate version ${c.version} is not 0`;
  let ok = false;
  try { ok = schnorr.verify(c.signature, signedHash(c, staticX), authorityX); } catch { ok = false; }
  if (!ok) return 'certificate is not signed by the authority key in the pool URL (wrong key, or a man in the middle)';
  if (nowSec < c.validFrom - CERT_TIME_LEEWAY_S) return `certificate not valid before ${new Date(c.validFrom * 1000).toISOString()} (clock ${new Date(nowSec * 1000).toISOString()})`;
  if (nowSec > c.notValidAfter + CERT_TIME_LEEWAY_S) return `certificate expired at ${new Date(c.notValidAfter * 1000).toISOString()} (clock ${new Date(nowSec * 1000).toISOString()})`;
  return undefined;
}
