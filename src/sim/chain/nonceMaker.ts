/**
 * Builds the nonces an emulated chip returns (chips.md §6, §14.11-14). Nonce numbers are the
 * chip's: the 4 wire bytes read big-endian, with the chip address (plus an offset inside the
 * address interval) and the core code in the family's fixed bits.
 */
import type { ChipFamily } from '../../chips/types';
import type { SeededRandom } from '../physics/random';

/** Fixed nonce bits for a chip at `address`: core code and address + k, k in [0, interval). */
export function fixedBits(fam: ChipFamily, address: number, interval: number, core: number, rng: SeededRandom): number {
  const l = fam.nonceLayout;
  const k = interval > 1 ? rng.int(interval) : 0;
  const addr = (address + k) & 0xff;
  return (((core << l.coreShift) | (addr << l.chipShift)) & l.fixedMask) >>> 0;
}

/** A Poisson(lambda) draw (Knuth for small lambda, normal approximation above 30). */
export function poisson(lambda: number, rng: SeededRandom): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rng.next();
    if (p <= l) return k;
    k++;
  }
}

/** A wrong nonce for scrypt-sim: the check byte (bits 8..15) flipped, which never verifies. */
export function corruptSimNonce(nonce: number, rng: SeededRandom): number {
  return (nonce ^ ((1 + rng.int(255)) << 8)) >>> 0;
}
