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

/** Fixed-point scale used by targetToDifficulty to keep 64 bits of the quotient. */
const SCALE = 1n << 64n;

/**
 * target = floor(diff1 / diff), exact for every double (diff = m x 2^e is decomposed from its
 * bits, so no step rounds), clamped to [1, 2^256 - 1]. Every positive finite double has a target
 * (1.7e308 gives 1, 5e-324 the maximum); RangeError only for NaN, Infinity, zero and negatives.
 */
export function difficultyToTarget(diff: number, diff1: bigint): bigint {
  if (typeof diff !== 'number' || !Number.isFinite(diff) || diff <= 0) throw new RangeError(`difficulty must be a positive finite number, got ${String(diff)}`);
  const [m, e] = decompose(diff);
  // e can reach -1074 (subnormals) or +971: shifting a bigint that far is exact and cheap.
  let t = e >= 0 ? diff1 / (m << BigInt(e)) : (diff1 << BigInt(-e)) / m;
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

/** A positive finite double as m x 2^e exactly (m an odd-or-53-bit integer), from its IEEE-754 bits. */
function decompose(x: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  // normal: (2^52 + frac) x 2^(biased - 1075); subnormal: frac x 2^-1074
  return biased === 0 ? [frac, -1074] : [frac | (1n << 52n), biased - 1075];
}
