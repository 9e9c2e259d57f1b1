/**
 * The frequencies a chip family's PLL really makes (PLL-legal steps), ascending, within a range.
 * Tuning moves chips along this ladder by index, so every frequency it asks for is one the chip
 * runs exactly (chips.md: PLL dividers). Pure.
 */
export function pllLadder(pllFor: (mhz: number) => { freqMHz: number }, minMHz: number, maxMHz: number, probeStepMHz = 0.25): number[] {
  // Keyed by a rounded value (float noise), holding the exact frequency the PLL reports.
  const made = new Map<number, number>();
  for (let m = minMHz; m <= maxMHz + 1e-9; m += probeStepMHz) {
    const f = pllFor(m).freqMHz;
    // Only fixed points: asking the PLL for f must give f back (the driver asks by frequency).
    if (Number.isFinite(f) && f >= minMHz - 1e-9 && f <= maxMHz + 1e-9 && Math.abs(pllFor(f).freqMHz - f) < 1e-9) made.set(Math.round(f * 1e6), f);
  }
  return [...made.values()].sort((a, b) => a - b);
}

/** Index of the highest ladder frequency <= mhz (0 when below the ladder). */
export function floorIndex(ladder: readonly number[], mhz: number): number {
  let lo = 0;
  let hi = ladder.length - 1;
  if (!(mhz >= ladder[0]!)) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ladder[mid]! <= mhz + 1e-9) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
