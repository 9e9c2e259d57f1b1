/**
 * PLL divider searches for the BM13xx-style PLLs. f = 25 MHz x fb / (refdiv x pd1 x pd2).
 */

/** BM1489 (chips.md §7.3, DEC H `FUN_000dfbfc`): first (pd1 7->1, pd2 pd1->1) with VCO in [800, 2400]; refdiv 1. */
export function bm1489Dividers(freqMHz: number): { fb: number; pd1: number; pd2: number } | null {
  for (let pd1 = 7; pd1 >= 1; pd1--) {
    for (let pd2 = pd1; pd2 >= 1; pd2--) {
      const vco = freqMHz * pd1 * pd2;
      if (vco >= 800 && vco <= 2400) return { fb: Math.floor(vco / 25), pd1, pd2 };
    }
  }
  return null;
}

/**
 * ESP-Miner `pll_get_parameters` (chips.md §7.2): refdiv 2->1, pd1 7->1, pd2 7->1 with pd1 > pd2... the
 * reference states pd1 > pd2; fb = round(f / 25 x refdiv x pd1 x pd2) within [fbMin, fbMax]; pick the
 * closest frequency, then the lowest VCO, then the smallest pd1 x pd2.
 */
export function espMinerDividers(freqMHz: number, fbMin: number, fbMax: number): { fb: number; ref: number; pd1: number; pd2: number } | null {
  let best: { fb: number; ref: number; pd1: number; pd2: number; err: number; vco: number } | null = null;
  for (let ref = 2; ref >= 1; ref--) {
    for (let pd1 = 7; pd1 >= 1; pd1--) {
      for (let pd2 = 7; pd2 >= 1; pd2--) {
        if (!(pd1 > pd2)) continue;
        const fb = Math.round((freqMHz / 25) * ref * pd1 * pd2);
        if (fb < fbMin || fb > fbMax) continue;
        const f = (25 * fb) / (ref * pd1 * pd2);
        const err = Math.abs(f - freqMHz);
        const vco = (25 * fb) / ref;
        if (
          !best ||
          err < best.err - 1e-9 ||
          (Math.abs(err - best.err) <= 1e-9 && (vco < best.vco || (vco === best.vco && pd1 * pd2 < best.pd1 * best.pd2)))
        ) {
          best = { fb, ref, pd1, pd2, err, vco };
        }
      }
    }
  }
  return best ? { fb: best.fb, ref: best.ref, pd1: best.pd1, pd2: best.pd2 } : null;
}
