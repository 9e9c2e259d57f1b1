/**
 * Draws the chips of a board from a seed: each chip's hidden stable limit is stock x (1 +
 * headroom + spread·N(0,1)), and a few weak chips per chain draw from the narrow `weakHeadroom`
 * band instead (some of them unstable at stock). Per-chip power constants vary a little too.
 */
import type { BoardDefinition } from '../../config/boardSchema';
import type { BoardCalibration } from './calibration';
import { ChipModel } from './chipModel';
import type { ChipConstants } from './chipModel';
import { SeededRandom } from './random';

export function drawChips(board: BoardDefinition, cal: BoardCalibration, seed: number, chain: number): ChipModel[] {
  const hb = board.hashBoard;
  const sim = board.sim;
  const rng = new SeededRandom(seed).fork(`chain${chain}`);
  const weak = new Set<number>();
  while (weak.size < Math.min(sim.weakChipsPerChain, hb.chipsPerChain)) weak.add(rng.int(hb.chipsPerChain));
  const [weakLo = 0, weakHi = 0] = sim.weakHeadroom;
  const chips: ChipModel[] = [];
  for (let i = 0; i < hb.chipsPerChain; i++) {
    const r = rng.fork(`chip${i}`);
    const headroom = weak.has(i)
      ? r.uniform(weakLo, weakHi)
      : Math.max(weakHi, sim.stableHeadroom + sim.stableSpread * clamp(r.normal(), -3, 3));
    const k: ChipConstants = {
      cores: hb.coresPerChip,
      hashesPerCoreCycle: hb.hashesPerCoreCycle,
      stockChipV: cal.stockChipV,
      referenceDieC: sim.referenceDieC,
      stableAtStockMHz: hb.freqMHz.stock * (1 + headroom),
      voltageExponent: sim.voltageExponent,
      tempDerate: sim.tempDerate,
      hangMargin: sim.hangMargin,
      baseHwErrorProbability: sim.baseHwErrorProbability,
      dynamicCoeff: cal.dynamicCoeff * (1 + 0.03 * clamp(r.normal(), -3, 3)),
      leakageCoeff: cal.leakageCoeff * (1 + 0.15 * clamp(r.normal(), -3, 3)),
      leakageDoublingC: sim.leakageDoublingC,
    };
    chips.push(new ChipModel(k));
  }
  return chips;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
