import { sha256 } from './sha256d';
import { MAX_TARGET, bigIntToHashLE, hashToBigInt } from './targets';

/**
 * scrypt-sim: a test proof of work with a trapdoor (see src/pow/README.md). The host pays one
 * real scrypt per verification, like real scrypt; a simulator that knows `base` finds a nonce
 * meeting any target in a few SHA-256 calls. Named and reported as simulated everywhere, used
 * only with simulated chips and the test pool.
 *
 * Nonce = header bytes 76..79 read big-endian, as the chips define their bit fields (chips.md
 * §5.1). Layout (low 16 bits free in every chip family kabosu knows; chip address and core bits
 * sit above bit 16):
 *   bits 0..6   s: the right shift applied to the digest (the difficulty "exponent", <= 127)
 *   bit  7      salt
 *   bits 8..15  check: must equal the digest's low byte, so a random (wrong) nonce fails
 *               verification with probability 255/256 before the target test
 *   bits 16..31 the chip's fixed bits (chip address, core) and further salt bits
 * hash = LE256(d) >> s, where d = sha256(base || nonce with the check byte zeroed (LE32)),
 * and base = scrypt(header with its nonce field zeroed). A bad check gives the all-ones hash.
 */
const CHECK_MASK = 0x0000ff00;
const ALL_ONES = bigIntToHashLE(MAX_TARGET);
/** Shifts above this would map most nonces to the same tiny hash; no target needs them. */
const MAX_SHIFT = 127;
const SHIFT_MASK = 0x7f;

function digest(base: Uint8Array, nonceNoCheck: number): Buffer {
  const buf = Buffer.allocUnsafe(36);
  buf.set(base.subarray(0, 32), 0);
  buf.writeUInt32LE(nonceNoCheck >>> 0, 32);
  return sha256(buf);
}

/** The sim hash of (base, nonce): 32 bytes, little-endian number order. */
export function scryptSimHash(base: Buffer, nonce: number): Buffer {
  const n = nonce >>> 0;
  const s = n & SHIFT_MASK;
  const d = digest(base, (n & ~CHECK_MASK) >>> 0);
  if (((n >>> 8) & 0xff) !== d[0]) return Buffer.from(ALL_ONES);
  return bigIntToHashLE(hashToBigInt(d) >> BigInt(s));
}

/** Leading zero bits of a 256-bit value. */
function clz256(v: bigint): number {
  if (v <= 0n) return 256;
  return 256 - v.toString(2).length;
}

/**
 * A nonce whose bits under `fixedMask` equal `fixedValue` and whose sim hash is <= `target`.
 * With s = the target's leading zero bits, the digest shifted by s is uniform below 2^(256-s),
 * so each try meets the target with probability >= 1/2, and a hit is uniform on [0, target]:
 * exactly the distribution of a real hash conditioned on meeting the target. Different salts
 * choose different free bits above bit 16 (or, with none free, fall back to s + 1, which
 * always meets the target).
 */
export function scryptSimNonce(base: Buffer, o: { fixedMask: number; fixedValue: number; target: bigint; salt: number }): number {
  if ((o.fixedMask & 0xffff) !== 0) throw new RangeError('scrypt-sim needs nonce bits 0..15 free (fixedMask & 0xffff must be 0)');
  const target = o.target > MAX_TARGET ? MAX_TARGET : o.target;
  if (target <= 0n) throw new RangeError('target must be positive');
  const fixed = (o.fixedValue & o.fixedMask) >>> 0;
  const saltMask = (~o.fixedMask & 0xffff0000) | 0x80;
  const saltBits = popcount(saltMask);
  let s = Math.min(clz256(target), MAX_SHIFT);
  const tries = Math.min(32, 2 ** saltBits);
  for (let attempt = 0; ; attempt++) {
    const saltValue = saltBits === 0 ? 0 : deposit((o.salt + attempt * 0x9e3779b1) >>> 0, saltMask);
    const noCheck = (fixed | saltValue | s) >>> 0;
    const d = digest(base, noCheck);
    const nonce = (noCheck | (d[0] << 8)) >>> 0;
    if (hashToBigInt(d) >> BigInt(s) <= target) return nonce;
    if (attempt + 1 >= tries) {
      if (s >= MAX_SHIFT) return nonce; // target so small no shift can meet it: best effort
      s += 1; // now the shifted digest is < 2^(255 - s0) <= target: always meets it
      attempt = -1;
    }
  }
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

/** Spreads the low bits of `value` into the set bits of `mask` (pdep). */
function deposit(value: number, mask: number): number {
  let out = 0;
  let bit = 1;
  for (let m = mask >>> 0; m; m &= m - 1) {
    const low = m & -m;
    if (value & bit) out |= low;
    bit <<= 1;
  }
  return out >>> 0;
}
