/**
 * Difficulty and target arithmetic, exact (bigint), no I/O.
 *
 * Scrypt pool difficulty 1 <=> target 0x0000ffff << 224 (cpuminer divides the pool difficulty
 * by 65536 before its Bitcoin-style diff_to_target; NOMP uses a 2^16 multiplier; both verified
 * in ../shared/reference/stratum.md §1.6, with a table of targets this module's tests replay).
 * SHA-256d pool difficulty 1 <=> 0x00000000ffff << 208 (Bitcoin's diff-1 target).
 * Hashes are compared as little-endian 256-bit integers; a hash meets a target when hash <= target.
 */
export const SCRYPT_DIFF1_TARGET: bigint = 0xffffn << 224n;
export const SHA256_DIFF1_TARGET: bigint = 0xffffn << 208n;
export const MAX_TARGET: bigint = (1n << 256n) - 1n;

/** Fixed-point scale used to carry fractional difficulties into bigint math exactly enough. */
const SCALE = 1n << 64n;

/**
 * target = floor(diff1 / diff), clamped to [1, 2^256 - 1]. Fractional difficulties (pools send
 * 0.5, 1/65536 ...) are carried with 64 fractional bits, so the result is exact for every
 * difficulty a double can hold to within one part in 2^53.
 */
export function difficultyToTarget(diff: number, diff1: bigint): bigint {
  if (!Number.isFinite(diff) || diff <= 0) throw new RangeError(`difficulty must be a positive finite number, got ${diff}`);
  const scaled = toScaledBigint(diff);
  let t = (diff1 * SCALE) / scaled;
  if (t > MAX_TARGET) t = MAX_TARGET;
  if (t < 1n) t = 1n;
  return t;
}

/** difficulty = diff1 / target, as a double (the inverse of difficultyToTarget up to rounding). */
export function targetToDifficulty(target: bigint, diff1: bigint): number {
  if (target <= 0n) throw new RangeError('target must be positive');
  // Keep 64 bits of precision in the quotient before converting to a double.
  const q = (diff1 * SCALE) / target;
  return Number(q) / Number(SCALE);
}

/** The 32-byte little-endian hash as an unsigned 256-bit integer. */
export function hashToBigInt(hashLE: Uint8Array): bigint {
  if (hashLE.length !== 32) throw new RangeError(`a hash is 32 bytes, got ${hashLE.length}`);
  // four 64-bit limbs instead of 32 byte steps: a few BigInt operations, not 64
  const b = Buffer.from(hashLE.buffer, hashLE.byteOffset, 32);
  return (b.readBigUInt64LE(24) << 192n) | (b.readBigUInt64LE(16) << 128n) | (b.readBigUInt64LE(8) << 64n) | b.readBigUInt64LE(0);
}

/** a <= b for 256-bit numbers stored as 32 little-endian bytes (no BigInt: the per-nonce test). */
export function leq256(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return true;
}

/**
 * Targets as 32 LE bytes, cached: a miner meets a handful of distinct targets (ticket and share
 * difficulties), each compared against hundreds of hashes a second.
 */
export class TargetBytes {
  private readonly map = new Map<bigint, Buffer>();
  of(target: bigint): Buffer {
    let b = this.map.get(target);
    if (!b) {
      if (this.map.size >= 64) this.map.clear();
      b = bigIntToHashLE(target);
      this.map.set(target, b);
    }
    return b;
  }
}

/** The 256-bit integer as 32 little-endian bytes. */
export function bigIntToHashLE(v: bigint): Buffer {
  if (v < 0n || v > MAX_TARGET) throw new RangeError('value out of the 256-bit range');
  const out = Buffer.alloc(32);
  let x = v;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function hashMeetsTarget(hashLE: Uint8Array, target: bigint): boolean {
  return hashToBigInt(hashLE) <= target;
}

/** The difficulty a hash achieves: diff1 / hash (Infinity for an all-zero hash). */
export function hashDifficulty(hashLE: Uint8Array, diff1: bigint): number {
  const h = hashToBigInt(hashLE);
  return h === 0n ? Infinity : targetToDifficulty(h, diff1);
}

/** Display order: the 32 bytes reversed, as hex (explorers, uint256::ToString). */
export function displayHex(hashLE: Uint8Array): string {
  return Buffer.from(hashLE).reverse().toString('hex');
}

/** Compact nBits -> target: mantissa << 8 x (exponent - 3). */
export function bitsToTarget(bits: number): bigint {
  const exp = bits >>> 24;
  const mant = BigInt(bits & 0x007fffff);
  return exp <= 3 ? mant >> BigInt(8 * (3 - exp)) : mant << BigInt(8 * (exp - 3));
}

function toScaledBigint(x: number): bigint {
  // x * 2^64 as an exact bigint from the double's bits.
  const [mant, exp] = frexp(x);
  // x = mant * 2^exp with mant in [0.5, 1); mant * 2^53 is an integer.
  const m = BigInt(Math.round(mant * 2 ** 53));
  const shift = exp - 53 + 64;
  return shift >= 0 ? m << BigInt(shift) : m >> BigInt(-shift) || 1n;
}

function frexp(x: number): [number, number] {
  const exp = Math.floor(Math.log2(x)) + 1;
  let mant = x / 2 ** exp;
  let e = exp;
  // Correct log2 rounding at the edges.
  if (mant >= 1) {
    mant /= 2;
    e += 1;
  } else if (mant < 0.5) {
    mant *= 2;
    e -= 1;
  }
  return [mant, e];
}
