import { bm1489Dividers } from '../common/pllSearch';

/** BM1489 PLL (chips.md §7.3): register = 0xA0000100 | fb << 16 | pd1 << 4 | pd2; f = 25 x fb / pd1 / pd2. */
export const MIN_MHZ = 800 / 49;
export const MAX_MHZ = 2400;

export function pllFor(freqMHz: number): { value: number; freqMHz: number } {
  const f = Math.max(120, Math.min(MAX_MHZ, freqMHz));
  const d = bm1489Dividers(f) ?? { fb: 32, pd1: 7, pd2: 1 };
  const value = (0xa0000100 | (d.fb << 16) | (d.pd1 << 4) | d.pd2) >>> 0;
  return { value, freqMHz: (25 * d.fb) / d.pd1 / d.pd2 };
}

export function freqFromPll(value: number): number | null {
  const fb = (value >>> 16) & 0xff;
  const ref = (value >>> 8) & 0xff;
  const pd1 = (value >>> 4) & 0x0f;
  const pd2 = value & 0x0f;
  if (fb === 0 || ref === 0 || pd1 === 0 || pd2 === 0) return null;
  return (25 * fb) / (ref * pd1 * pd2);
}
