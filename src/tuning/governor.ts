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
  /** Share of a board's chips shed per °C over the threshold per action. */
  thermalShedPerC: number;
}

export const DEFAULT_GOVERNOR: GovernorOptions = {
  powerAim: 0.995,
  restoreBand: 0.015,
  powerHoldMs: 15_000,
  hotMarginC: 1,
  coolMarginC: 4,
  thermalHoldMs: 30_000,
  thermalShedPerC: 0.03,
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
}

/** Per board: >0 steps to shed, <0 steps to restore, 0 nothing. */
export class Governor {
  private nextPowerMs = 0;
  private readonly nextThermalMs: number[] = [];
  constructor(private readonly o: GovernorOptions = DEFAULT_GOVERNOR) {}

  decide(i: GovernorInput): number[] {
    const n = i.boardC.length;
    const out = new Array<number>(n).fill(0);
    const thermalBlocked = new Array<boolean>(n).fill(false);
    for (let b = 0; b < n; b++) {
      const t = i.boardC[b];
      if (t === null || t === undefined) continue;
      const over = t - (i.hotC - this.o.hotMarginC);
      if (over >= 0) thermalBlocked[b] = true;
      if (i.nowMs < (this.nextThermalMs[b] ?? 0)) {
        if (t > i.hotC - this.o.coolMarginC) thermalBlocked[b] = true;
        continue;
      }
      if (over >= 0) {
        out[b] = Math.max(1, Math.round(i.chipsPerBoard * this.o.thermalShedPerC * (over + 1)));
        this.nextThermalMs[b] = i.nowMs + this.o.thermalHoldMs;
      } else if (t > i.hotC - this.o.coolMarginC) thermalBlocked[b] = true;
    }
    if (i.budgetW !== null && i.wallPowerW !== null && i.wattsPerStep > 0 && i.nowMs >= this.nextPowerMs) {
      const aim = i.budgetW * this.o.powerAim;
      if (i.wallPowerW > i.budgetW) {
        const steps = Math.ceil((i.wallPowerW - aim) / i.wattsPerStep);
        spread(out, steps, () => true, 1);
        this.nextPowerMs = i.nowMs + this.o.powerHoldMs;
      } else if (i.wallPowerW < i.budgetW * (1 - this.o.restoreBand)) {
        const steps = Math.max(1, Math.floor((0.5 * (aim - i.wallPowerW)) / i.wattsPerStep));
        const can = (b: number): boolean => !thermalBlocked[b] && out[b] === 0 && i.shedPerBoard[b]! > 0;
        spread(out, steps, can, -1);
        this.nextPowerMs = i.nowMs + this.o.powerHoldMs;
      }
    } else if (i.budgetW === null) {
      // No budget: give back thermal shedding once a board is cool and its hold is over.
      for (let b = 0; b < n; b++) {
        if (out[b] !== 0 || thermalBlocked[b] || i.shedPerBoard[b]! <= 0 || i.nowMs < (this.nextThermalMs[b] ?? 0)) continue;
        out[b] = -Math.max(1, Math.round(i.chipsPerBoard * this.o.thermalShedPerC));
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
