import { espMinerDividers } from '../common/pllSearch';

/**
 * BM1366 PLL (chips.md §7.2, SRC E `pll.c`, `bm1366.c`): reg 0x08 = [vdo][fb][ref][pd], fb 144..235,
 * pd = ((pd1 - 1) << 4) + (pd2 - 1), vdo = 0x50 when VCO >= 2400 MHz else 0x40.
 */
export const FB_MIN = 144;
export const FB_MAX = 235;

export function pllFor(freqMHz: number): { value: number; freqMHz: number } {
  const f = Math.max(50, Math.min(800, freqMHz));
  const d = espMinerDividers(f, FB_MIN, FB_MAX) ?? { fb: FB_MIN, ref: 2, pd1: 7, pd2: 6 };
  const vco = (25 * d.fb) / d.ref;
  const vdo = vco >= 2400 ? 0x50 : 0x40;
  const value = ((vdo << 24) | (d.fb << 16) | (d.ref << 8) | (((d.pd1 - 1) << 4) + (d.pd2 - 1))) >>> 0;
  return { value, freqMHz: (25 * d.fb) / (d.ref * d.pd1 * d.pd2) };
}

export function freqFromPll(value: number): number | null {
  const fb = (value >>> 16) & 0xff;
  const ref = (value >>> 8) & 0xff;
  const pd1 = ((value >>> 4) & 0x0f) + 1;
  const pd2 = (value & 0x0f) + 1;
  if (fb === 0 || ref === 0) return null;
  return (25 * fb) / (ref * pd1 * pd2);
}
