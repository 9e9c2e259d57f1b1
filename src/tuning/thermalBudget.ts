/**
 * A board's thermal budget, learned from the governor's behaviour: a board held back by heat for
 * a while (PLL steps shed, near hotC, no thermal action for 90 s) carries at most the power load
 * (V^2 x sum f) it carries now. The tuner then re-plans within it, which usually means a lower
 * voltage with chips at their maximum instead of a high voltage with frequency shed (far better
 * J/TH for the same heat). A budget learned while the board was still cooling leaves headroom,
 * so it grows once the board has sat well under hotC, unthrottled, for two minutes. Pure.
 */
export interface BudgetBoard {
  /** Board (PCB) temperature now, null when unknown. */
  boardC: number | null;
  /** Power load the board carries now. */
  load: number;
  /** PLL steps shed now (under the tuned caps) and the caps' total. */
  shedSteps: number;
  capSteps: number;
  /** When heat last made the governor shed on this board (undefined: never, or already used). */
  lastThermalShedMs: number | undefined;
}

export class ThermalBudget {
  /** Per board the highest load allowed (undefined: no limit learned). */
  readonly maxLoad: Array<number | undefined> = [];
  private readonly coolSinceMs: Array<number | undefined> = [];
  replans = 0;

  constructor(
    private readonly hotC: number,
    private readonly maxReplans = 6,
  ) {}

  /** True when a budget changed (the caller re-plans and forgets the boards' thermal sheds). */
  learn(nowMs: number, boards: readonly BudgetBoard[]): boolean {
    if (this.replans >= this.maxReplans) return false;
    let learned = false;
    boards.forEach((b, i) => {
      const cap = this.maxLoad[i];
      if (cap === undefined || b.boardC === null) return;
      const cool = b.boardC < this.hotC - 2.5 && b.shedSteps <= 0.005 * b.capSteps;
      if (!cool) {
        this.coolSinceMs[i] = undefined;
        return;
      }
      this.coolSinceMs[i] ??= nowMs;
      if (nowMs - this.coolSinceMs[i]! < 120_000) return;
      this.maxLoad[i] = cap * (1 + 0.025 * (this.hotC - 2 - b.boardC));
      this.coolSinceMs[i] = undefined;
      learned = true;
    });
    boards.forEach((b, i) => {
      if (b.lastThermalShedMs === undefined || b.boardC === null || nowMs - b.lastThermalShedMs < 90_000 || b.boardC < this.hotC - 4) return;
      if (b.shedSteps < 0.03 * b.capSteps) return;
      this.maxLoad[i] = Math.min(this.maxLoad[i] ?? Infinity, b.load);
      learned = true;
    });
    if (!learned) return false;
    // Every board heat has touched carries at most what it carries now (a re-plan must not
    // hand back what the governor shed for heat).
    boards.forEach((b, i) => {
      if (b.lastThermalShedMs !== undefined) this.maxLoad[i] = Math.min(this.maxLoad[i] ?? Infinity, b.load);
    });
    this.replans++;
    return true;
  }
}
