import { OtaError } from './errors';
import { MAX_MANIFEST_BYTES } from './manifest';

/**
 * A kabosu bundle (`.kbota`) is one file (docs/ota.md):
 *
 *   offset 0   "KBSOTA01"                  8 bytes magic (format version in the last two)
 *   offset 8   header length H             u32 big-endian, 2..MAX_HEADER_BYTES
 *   offset 12  header JSON (H bytes)       {"manifest": "<manifest text>", "signatures": [...],
 *                                           "endorsements": [...]}
 *   12 + H     payloads, back to back, in the manifest's order, each exactly its `size` bytes
 *
 * The manifest is carried as text so the signature covers the exact bytes signed. Everything
 * up to the payloads is small and bounded: it is read, parsed and its signature verified
 * before one byte of payload is looked at. Pure.
 */
export const MAGIC = Buffer.from('KBSOTA01', 'ascii');
export const PREAMBLE_BYTES = 12;
export const MAX_HEADER_BYTES = 64 * 1024;

export interface Signature {
  /** Base64 of the raw 32-byte ed25519 public key that made it. */
  key: string;
  /** Base64 of the 64-byte signature over signedManifestBytes(manifest). */
  sig: string;
}

/** "`by` vouches for `key`": how a key is rotated (the new key signed by an old one). */
export interface Endorsement {
  key: string;
  by: string;
  sig: string;
}

export interface BundleHeader {
  manifestText: string;
  signatures: Signature[];
  endorsements: Endorsement[];
}

const B64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const B64_SIG = /^[A-Za-z0-9+/]{86}==$/;
/** Canonical base64 only: the unused low bits of the last character must be zero (no second spelling of one signature). */
const canonical = (s: string): boolean => Buffer.from(s, 'base64').toString('base64') === s;
const isKey = (v: unknown): v is string => typeof v === 'string' && B64_KEY.test(v) && canonical(v);
const isSig = (v: unknown): v is string => typeof v === 'string' && B64_SIG.test(v) && canonical(v);

export function encodePreamble(headerBytes: number): Buffer {
  const b = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32BE(headerBytes, 8);
  return b;
}

/** Header length from the first 12 bytes; throws OtaError on anything but a kabosu bundle. */
export function decodePreamble(b: Buffer): number {
  if (b.length < PREAMBLE_BYTES) throw new OtaError('truncated', `bundle is ${b.length} bytes: shorter than its ${PREAMBLE_BYTES}-byte preamble`, 'the file or download is incomplete: fetch it again');
  if (!b.subarray(0, 8).equals(MAGIC)) throw new OtaError('malformed', 'not a kabosu bundle (bad magic)', 'bundles are made by `kabosu ota build`; RAUC .raucb files are not accepted');
  const n = b.readUInt32BE(8);
  if (n < 2 || n > MAX_HEADER_BYTES) throw new OtaError('malformed', `bundle header length ${n} outside 2..${MAX_HEADER_BYTES}`);
  return n;
}

export function encodeHeader(h: BundleHeader): Buffer {
  return Buffer.from(JSON.stringify({ manifest: h.manifestText, signatures: h.signatures, endorsements: h.endorsements }), 'utf8');
}

const malformed = (what: string): OtaError => new OtaError('malformed', `bundle header: ${what}`, 'rebuild the bundle with `kabosu ota build` and `kabosu ota sign`');

export function decodeHeader(b: Buffer): BundleHeader {
  let v: unknown;
  try {
    v = JSON.parse(b.toString('utf8'));
  } catch {
    throw malformed('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.manifest !== 'string' || Buffer.byteLength(o.manifest) > MAX_MANIFEST_BYTES) throw malformed('manifest must be a string of at most 16 KiB');
  const sigs = o.signatures ?? [];
  const ends = o.endorsements ?? [];
  if (!Array.isArray(sigs) || sigs.length > 8) throw malformed('signatures must be a list of at most 8');
  if (!Array.isArray(ends) || ends.length > 8) throw malformed('endorsements must be a list of at most 8');
  const signatures = sigs.map((s, i) => {
    const x = s as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || !isKey(x.key) || !isSig(x.sig)) throw malformed(`signatures[${i}] must be {key, sig} in base64`);
    return { key: x.key as string, sig: x.sig as string };
  });
  const endorsements = ends.map((e, i) => {
    const x = e as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || !isKey(x.key) || !isKey(x.by) || !isSig(x.sig)) throw malformed(`endorsements[${i}] must be {key, by, sig} in base64`);
    return { key: x.key as string, by: x.by as string, sig: x.sig as string };
  });
  const h = { manifestText: o.manifest, signatures, endorsements };
  // One spelling per header: the bytes must be exactly what encodeHeader writes, so no unsigned
  // byte of the header can change (an unknown or renamed key, spacing, key order) unnoticed.
  if (!encodeHeader(h).equals(b)) throw malformed('not in canonical form (unknown, renamed or reordered keys, or extra spacing)');
  return h;
}
