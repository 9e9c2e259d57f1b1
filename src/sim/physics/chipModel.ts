/**
 * One chip's physics (implements the chain/physics seam `ChipPhysics`, src/sim/types.ts).
 *
 * - hashrate = cores x f x hashes/cycle;
 * - a hidden max stable frequency, seeded per chip, rising with voltage (power law) and falling
 *   with die temperature (linear derate);
 * - HW-error probability: a small floor, rising along a steep logistic above the stable limit;
 * - beyond (1 + hangMargin) x the limit the chip hangs, latched until `clearHang()` (chain reset);
 * - power = dynamic C·V²·f + leakage(V, T) (leakage doubling every `leakageDoublingC`).
 * The board sets voltage and die temperature (`setConditions`); faults are set by the fault layer.
 */
import type { ChipPhysics } from '../types';

export interface ChipConstants {
  cores: number;
  hashesPerCoreCycle: number;
  stockChipV: number;
  referenceDieC: number;
  /** Max stable frequency at stock voltage and the reference die temperature (this chip's draw). */
  stableAtStockMHz: number;
  voltageExponent: number;
  tempDerate: number;
  hangMargin: number;
  baseHwErrorProbability: number;
  dynamicCoeff: number;
  leakageCoeff: number;
  leakageDoublingC: number;
}

/** Logistic centre and width (fractions of the stable limit) of the HW-error rise. */
export const HW_KNEE = 0.04;
export const HW_WIDTH = 0.01;

export interface ChipFaults {
  /** Never answers (missing at enumeration, no nonces). */
  dead: boolean;
  /** Answers registers but returns no nonces. */
  silent: boolean;
  /** Forces at least this HW-error probability. */
  hwErrorProbability: number | null;
}

export class ChipModel implements ChipPhysics {
  private voltageV: number;
  private dieC: number;
  private hung = false;
  readonly faults: ChipFaults = { dead: false, silent: false, hwErrorProbability: null };

  constructor(readonly k: ChipConstants) {
    this.voltageV = k.stockChipV;
    this.dieC = k.referenceDieC;
  }

  /** Chip supply voltage and die temperature now (set by the board each physics step). */
  setConditions(chipV: number, dieC: number): void {
    this.voltageV = chipV;
    this.dieC = dieC;
  }

  get chipV(): number {
    return this.voltageV;
  }

  get temperatureC(): number {
    return this.dieC;
  }

  get isHung(): boolean {
    return this.hung;
  }

  /** A chain reset clears a hang (the chip restarts with default PLL). */
  clearHang(): void {
    this.hung = false;
  }

  /** The hidden limit now: highest frequency at which the chip is still (almost) error-free. */
  maxStableMHz(chipV = this.voltageV, dieC = this.dieC): number {
    return stableLimitMHz(this.k, chipV, dieC);
  }

  hashrateHps(freqMHz: number): number {
    if (this.faults.dead || this.faults.silent || this.hung) return 0;
    return this.k.cores * Math.max(0, freqMHz) * 1e6 * this.k.hashesPerCoreCycle;
  }

  hwErrorProbability(freqMHz: number): number {
    const p = hwErrorProbabilityAt(this.k, freqMHz, this.maxStableMHz());
    return this.faults.hwErrorProbability === null ? p : Math.max(p, this.faults.hwErrorProbability);
  }

  responsive(freqMHz: number): boolean {
    if (this.faults.dead) return false;
    if (!this.hung && freqMHz > this.maxStableMHz() * (1 + this.k.hangMargin)) this.hung = true;
    return !this.hung;
  }

  /** Electrical power at this frequency now (0 when the chip has no supply). */
  powerW(freqMHz: number, powered: boolean): number {
    if (!powered) return 0;
    // A dead chip draws leakage only; a hung chip keeps its clock tree running.
    const f = this.faults.dead ? 0 : freqMHz;
    return chipPowerW(this.k, f, this.voltageV, this.dieC);
  }
}

export function stableLimitMHz(k: ChipConstants, chipV: number, dieC: number): number {
  const vRatio = Math.max(0, chipV) / k.stockChipV;
  const derate = Math.max(0.05, 1 - k.tempDerate * (dieC - k.referenceDieC));
  return k.stableAtStockMHz * Math.pow(vRatio, k.voltageExponent) * derate;
}

export function hwErrorProbabilityAt(k: ChipConstants, freqMHz: number, limitMHz: number): number {
  if (limitMHz <= 0) return 1;
  const x = (freqMHz / limitMHz - 1 - HW_KNEE) / HW_WIDTH;
  const rise = 1 / (1 + Math.exp(-x));
  return k.baseHwErrorProbability + (1 - k.baseHwErrorProbability) * rise;
}

/** The highest frequency whose HW-error probability stays at or below `p` (inverse of the above). */
export function freqForHwErrorMHz(k: ChipConstants, limitMHz: number, p: number): number {
  const q = (p - k.baseHwErrorProbability) / (1 - k.baseHwErrorProbability);
  if (q <= 0) return 0;
  if (q >= 1) return Infinity;
  return limitMHz * (1 + HW_KNEE + HW_WIDTH * Math.log(q / (1 - q)));
}

export function chipPowerW(k: ChipConstants, freqMHz: number, chipV: number, dieC: number): number {
  const v = Math.max(0, chipV);
  const dynamic = k.dynamicCoeff * v * v * Math.max(0, freqMHz);
  const leakage = k.leakageCoeff * v * Math.pow(2, (dieC - k.referenceDieC) / k.leakageDoublingC);
  return dynamic + leakage;
}
