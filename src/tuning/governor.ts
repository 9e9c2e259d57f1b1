/**
 * Run-time frequency adjustment (issue #8 item 2): when wall power exceeds the budget or a board
 * nears `hotC`, shed PLL steps on the chips that cost most per hash first; restore them (cheapest
 * first) when there is room again. A dead band between the shed and restore thresholds, a hold
 * time after every action (longer for temperature, which responds in minutes) and proportional,
 * half-gain restoring keep it from oscillating. Pure: readings and time in, step counts out.
 */

/** Cost per hash of a chip, relative: leakage is spread over fewer hashes at a low frequency; HW errors waste hashes. */
export function chipCost(freqMHz: number, refMHz: number, hwRatio: number, leakShare = 0.1): number {
  const f = Math.max(1, freqMHz);
  return (1 - leakShare + (leakShare * refMHz) / f) / Math.max(0.05, 1 - hwRatio);
}

/** Removes `steps` ladder steps, each from the costliest chip still above floor. Returns steps removed. */
export function shedSteps(index: number[], floor: readonly number[], cost: (chip: number) => number, steps: number, usable: readonly boolean[]): number {
  let done = 0;
  for (; done < steps; done++) {
    let pick = -1;
    let worst = -Infinity;
    for (let i = 0; i < index.length; i++) {
      if (!usable[i] || index[i]! <= floor[i]!) continue;
      const c = cost(i);
      if (c > worst) {
        worst = c;
        pick = i;
      }
    }
    if (pick < 0) break;
    index[pick]!--;
  }
  return done;
}

/** Adds `steps` ladder steps, each to the cheapest chip still below its cap. Returns steps added. */
export function restoreSteps(index: number[], cap: readonly number[], cost: (chip: number) => number, steps: number, usable: readonly boolean[]): number {
  let done = 0;
  for (; done < steps; done++) {
    let pick = -1;
    let best = Infinity;
    for (let i = 0; i < index.length; i++) {
      if (!usable[i] || index[i]! >= cap[i]!) continue;
      const c = cost(i);
      if (c < best) {
        best = c;
        pick = i;
      }
    }
    if (pick < 0) break;
    index[pick]!++;
  }
  return done;
}

export interface GovernorOptions {
  /** Aim this far under the budget (fraction). */
  powerAim: number;
  /** Restore only below budget x (1 - restoreBand). */
  restoreBand: number;
  powerHoldMs: number;
  /** Shed when a board reaches hotC - hotMarginC; restore below hotC - coolMarginC. */
  hotMarginC: number;
  coolMarginC: number;
  thermalHoldMs: number;
  /** Share of a board's PLL steps shed per °C over the threshold per action. */
  thermalShedPerC: number;
  /** Temperatures are judged where their trend puts them this far ahead (s): the board lags its power by minutes. */
  lookaheadS: number;
}

export const DEFAULT_GOVERNOR: GovernorOptions = {
  powerAim: 0.99,
  restoreBand: 0.015,
  powerHoldMs: 15_000,
  hotMarginC: 1,
  coolMarginC: 4,
  thermalHoldMs: 30_000,
  thermalShedPerC: 0.01,
  lookaheadS: 90,
};

export interface GovernorInput {
  nowMs: number;
  wallPowerW: number | null;
  budgetW: number | null;
  /** Watts one PLL step on one chip is worth now (from the power model). */
  wattsPerStep: number;
  boardC: ReadonlyArray<number | null>;
  hotC: number;
  chipsPerBoard: number;
  /** Steps shed now per board (below the tuned caps) — restoring needs some. */
  shedPerBoard: readonly number[];
  /** Sum of every chip's ladder index per board (the size of a 1 % move). */
  stepsPerBoard: readonly number[];
}

/** Per board: >0 steps to shed, <0 steps to restore, 0 nothing. */
export class Governor {
  private nextPowerMs = 0;
  /** Power averaged over the windows since the last power action (noise of one reading is not acted on). */
  private powerSum = 0;
  private powerN = 0;
  private readonly nextThermalMs: number[] = [];
  private readonly lastC: Array<{ c: number; atMs: number } | undefined> = [];
  /** Per board, when heat last made it shed (ms), for callers that learn a thermal budget. */
  readonly lastThermalShedMs: number[] = [];
  constructor(private readonly o: GovernorOptions = DEFAULT_GOVERNOR) {}

  decide(i: GovernorInput): number[] {
    const n = i.boardC.length;
    const out = new Array<number>(n).fill(0);
    const thermalBlocked = new Array<boolean>(n).fill(false);
    for (let b = 0; b < n; b++) {
      const now = i.boardC[b];
      if (now === null || now === undefined) continue;
      const prev = this.lastC[b];
      const dtS = prev ? (i.nowMs - prev.atMs) / 1000 : 0;
      const slope = prev && dtS > 0 ? (now - prev.c) / dtS : 0;
      this.lastC[b] = { c: now, atMs: i.nowMs };
      // Where the trend puts the board a little ahead: act before it gets there, not after.
      const t = now + Math.max(-5, Math.min(5, slope * this.o.lookaheadS));
      const over = t - (i.hotC - this.o.hotMarginC);
      if (over >= 0 || now >= i.hotC - this.o.hotMarginC) thermalBlocked[b] = true;
      // Cool means cool now and where the trend goes (a falling trend never gives steps back early).
      const warm = Math.max(now, t) > i.hotC - this.o.coolMarginC;
      if (i.nowMs < (this.nextThermalMs[b] ?? 0)) {
        if (warm) thermalBlocked[b] = true;
        continue;
      }
      if (over >= 0) {
        out[b] = Math.max(1, Math.round(i.stepsPerBoard[b]! * this.o.thermalShedPerC * (over + 1)));
        this.nextThermalMs[b] = i.nowMs + this.o.thermalHoldMs;
        this.lastThermalShedMs[b] = i.nowMs;
      } else if (warm) thermalBlocked[b] = true;
    }
    if (i.wallPowerW !== null) {
      this.powerSum += i.wallPowerW;
      this.powerN++;
    }
    const avgW = this.powerN > 0 ? this.powerSum / this.powerN : null;
    // Far over budget acts on one reading; otherwise on the mean of at least three.
    const enough = this.powerN >= 3 || (avgW !== null && i.budgetW !== null && avgW > i.budgetW * 1.05);
    if (i.budgetW !== null && avgW !== null && enough && i.wattsPerStep > 0 && i.nowMs >= this.nextPowerMs) {
      const aim = i.budgetW * this.o.powerAim;
      const w = avgW;
      if (w > i.budgetW) {
        const steps = Math.ceil((w - aim) / i.wattsPerStep);
        spread(out, steps, () => true, 1);
        this.nextPowerMs = i.nowMs + this.o.powerHoldMs;
        this.powerSum = 0;
        this.powerN = 0;
      } else if (w < i.budgetW * (1 - this.o.restoreBand)) {
        const steps = Math.max(1, Math.floor((0.5 * (aim - w)) / i.wattsPerStep));
        const can = (b: number): boolean => !thermalBlocked[b] && out[b] === 0 && i.shedPerBoard[b]! > 0;
        spread(out, steps, can, -1);
        this.nextPowerMs = i.nowMs + this.o.powerHoldMs;
        this.powerSum = 0;
        this.powerN = 0;
      }
    } else if (i.budgetW === null) {
      // No budget: give back thermal shedding once a board is cool and its hold is over.
      for (let b = 0; b < n; b++) {
        if (out[b] !== 0 || thermalBlocked[b] || i.shedPerBoard[b]! <= 0 || i.nowMs < (this.nextThermalMs[b] ?? 0)) continue;
        out[b] = -Math.max(1, Math.round(i.stepsPerBoard[b]! * this.o.thermalShedPerC * 0.5));
        this.nextThermalMs[b] = i.nowMs + this.o.thermalHoldMs;
      }
    }
    return out;
  }
}

/** Spreads `steps` evenly over the boards `ok` allows, adding sign x share to out. */
function spread(out: number[], steps: number, ok: (b: number) => boolean, sign: 1 | -1): void {
  const boards = out.map((_, b) => b).filter(ok);
  if (boards.length === 0 || steps <= 0) return;
  boards.forEach((b, k) => {
    const share = Math.floor(steps / boards.length) + (k < steps % boards.length ? 1 : 0);
    out[b] = sign > 0 ? Math.max(out[b]!, 0) + share : -share;
  });
}
