/**
 * BM1485 PLL (chips.md §7.1, SRC B `freq_pll_1485`): register `0x00 FB RD PP`, PP = postdiv1 << 4 |
 * postdiv2, no -1 encoding; f = 25 x FB / (RD x PD1 x PD2). The stock table is authoritative for
 * its rows; kabosu knows the rows the reference lists. Other frequencies use the community
 * driver's uniform grid `0x00nn0231` (25/6 MHz steps, 266.67..650 MHz, SRC C), and below it
 * `0x00nn0241` (25/8 MHz steps): a documented choice (src/chips/README.md).
 */
export const PLL_TABLE: ReadonlyArray<readonly [number, number]> = [
  [100, 0x00400242],
  [200, 0x00400241],
  [300, 0x00600241],
  [350, 0x00540231],
  [375, 0x005a0231],
  [384, 0x007b0241],
  [400, 0x00600231],
  [450, 0x00480221],
  [500, 0x00500221],
  [550, 0x00580221],
  [600, 0x00600221],
  [650, 0x00680221],
];
export const MIN_MHZ = 100;
export const MAX_MHZ = 650;

/**
 * Frequency of a PLL word. For the stock table's rows this is the row's nominal MHz (the table is
 * authoritative, and the reference's rate numbers use it: 384 MHz -> 1.751 MH/s per chip, although
 * 0x007B0241 computes to 384.375); other words use the divider formula.
 */
export function freqFromPll(value: number): number | null {
  const row = PLL_TABLE.find(([, v]) => v === value >>> 0);
  if (row) return row[0];
  return dividerFreq(value);
}

function dividerFreq(value: number): number | null {
  const fb = (value >>> 16) & 0xff;
  const rd = (value >>> 8) & 0xff;
  const pd1 = (value >>> 4) & 0x0f;
  const pd2 = value & 0x0f;
  if ((value >>> 24) !== 0 || fb === 0 || rd === 0 || pd1 === 0 || pd2 === 0) return null;
  return (25 * fb) / (rd * pd1 * pd2);
}

export function pllFor(freqMHz: number): { value: number; freqMHz: number } {
  const f = Math.max(MIN_MHZ, Math.min(MAX_MHZ, freqMHz));
  const row = PLL_TABLE.find(([mhz]) => mhz === Math.round(f));
  if (row) return { value: row[1], freqMHz: freqFromPll(row[1]) as number };
  const grid = f >= 266.67 ? { step: 25 / 6, tail: 0x0231 } : { step: 25 / 8, tail: 0x0241 };
  const fb = Math.max(1, Math.min(255, Math.round(f / grid.step)));
  const value = ((fb << 16) | grid.tail) >>> 0;
  return { value, freqMHz: freqFromPll(value) as number };
}
