/**
 * The autotuner's decision logic: a per-board phase machine fed with measurement windows. Given
 * the same measurements and times it makes the same decisions (pure, no timers, no I/O).
 *
 * New board: characterise at stock voltage (every chip climbs/bisects the PLL ladder under an
 * SPRT, chipSearch.ts), then at the lowest voltage; fit the models (model.ts); plan for the
 * target (planner.ts); settle the chips the plan runs at their predicted maximum (a short
 * search around the prediction); tuned. A board with a stored profile instead validates it (an
 * SPRT per chip at the stored step; chips that fail search down from there) and only re-tunes
 * fully when many chips fail. Once tuned, every chip stays under an SPRT (a chip that starts to
 * fail loses a step) and the governor (governor.ts) sheds and restores for power and heat.
 *
 * Bounded time: each phase ends after `phaseCapMs` whatever the searches say (chips keep their
 * highest known-good step), so a new L3+ is tuned within 3 x phaseCapMs (18 min at the default).
 */
import { ChipSearch } from './chipSearch';
import { floorIndex } from './ladder';
import { Governor, chipCost, restoreSteps, shedSteps } from './governor';
import type { GovernorOptions } from './governor';
import { fitPower, powerLoad, predictFreqs, voltageExponent } from './model';
import type { PowerModel, PowerPoint } from './model';
import { floorShortfall, nominalHashrateHps, plan, withFloorMargin } from './planner';
import type { Plan } from './planner';
import { ThermalBudget } from './thermalBudget';
import { mayRetry } from './recovery';
import { newBoardState, resetForCharacterisation } from './boardState';
import type { BoardStart, BoardState } from './boardState';
import { DEFAULT_SPRT, newSprt, sprtUpdate, yieldTooLow } from './sprt';
import type { SprtParams } from './sprt';
import type { BoardPhase, Measurement, MinerSpec, Settings, TuningTarget } from './types';

export interface AutotunerOptions {
  phaseCapMs: number;
  /** Ladder steps per climb while no upper bound is known. */
  stride: number;
  /** Steps held below the highest accepted one. */
  backoff: number;
  sprt: SprtParams;
  governor?: GovernorOptions;
  /** Full re-tune of a profile board when more than this share of chips fail validation. */
  revalidateFailShare: number;
}

export type { BoardStart, BoardState } from './boardState';

export const DEFAULT_AUTOTUNER: AutotunerOptions = { phaseCapMs: 6 * 60_000, stride: 4, backoff: 1, sprt: DEFAULT_SPRT, revalidateFailShare: 0.2 };

export interface TunerEvent {
  kind: 'phase' | 'chip_stepped_down' | 'chip_restored' | 'chip_dead' | 'planned' | 'shed' | 'restored' | 'retune';
  board: number;
  chip?: number;
  message: string;
}

export class Autotuner {
  readonly boards: BoardState[];
  private target: TuningTarget;
  private readonly o: AutotunerOptions;
  private points: PowerPoint[] = [];
  private model: PowerModel | null = null;
  private readonly governor: Governor;
  lastPlan: Plan | null = null;
  private replans = 0;
  /** Per board thermal budget in power-load units, learned when heat held it back. */
  private readonly thermal: ThermalBudget;
  private wasConverged = false;
  /** Plans aim this share above a hashrate floor (grows when settled chips fall short). */
  private floorMargin = 0.01;
  tunedAtMs: number | null = null;
  readonly startedAtMs: number;
  /** Events since the last `drainEvents()`. */
  private events: TunerEvent[] = [];

  constructor(
    readonly spec: MinerSpec,
    target: TuningTarget,
    nowMs: number,
    starts: ReadonlyArray<BoardStart | null> = [],
    opts: Partial<AutotunerOptions> = {},
    model: PowerModel | null = null,
  ) {
    this.o = { ...DEFAULT_AUTOTUNER, ...opts };
    this.target = target;
    this.model = model;
    this.startedAtMs = nowMs;
    this.governor = new Governor(this.o.governor);
    this.thermal = new ThermalBudget(spec.hotC);
    const search = { stride: this.o.stride, backoff: this.o.backoff, sprt: this.o.sprt };
    this.boards = Array.from({ length: spec.boards }, (_, b) => newBoardState(spec, starts[b] ?? null, search, nowMs));
  }

  get currentTarget(): TuningTarget {
    return this.target;
  }

  get powerModel(): PowerModel | null {
    return this.model;
  }

  drainEvents(): TunerEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  settings(): Settings {
    return {
      voltageV: this.boards.map((b) => b.voltageV),
      freqMHz: this.boards.map((b) => b.index.map((i, c) => this.spec.ladderMHz[b.searches?.[c] && !b.searches[c]!.done ? b.searches[c]!.current : i]!)),
    };
  }

  /** True when every board is tuned. */
  get converged(): boolean {
    return this.boards.every((b) => b.phase === 'tuned');
  }

  /** A new target at run time: re-plan from what is known (no re-characterisation). */
  setTarget(t: TuningTarget, nowMs: number): void {
    this.target = t;
    this.replans = 0;
    this.floorMargin = 0.01;
    if (this.boards.every((b) => b.phase === 'tuned' || b.phase === 'planning') && this.model) {
      for (const b of this.boards) this.enter(b, 'planning', nowMs);
      this.replan(nowMs);
    }
  }

  /** One measurement window, taken at `settings()` as last returned. Returns the new settings. */
  update(m: Measurement): Settings {
    const before = this.settings();
    if (m.wallPowerW !== null && m.wallPowerW > 0) {
      this.points.push({ x: powerLoad(before), wallW: m.wallPowerW });
      if (this.points.length > 400) this.points.shift();
      this.model = fitPower(this.points) ?? this.model;
    }
    this.boards.forEach((b, bi) => {
      const sample = m.boards[bi];
      if (!sample) return;
      const freqs = before.freqMHz[bi]!;
      const expectedOf = (c: number): number => (this.spec.hpsPerMHz * freqs[c]! * m.windowMs) / 1000 / sample.hashesPerNonce;
      // A board returning almost nothing as a whole had no work (pool away, chain restarting):
      // the window says nothing about its chips, so it is not counted.
      let due = 0;
      let got = 0;
      freqs.forEach((_, c) => {
        if (!b.dead[c]) due += expectedOf(c);
        got += (sample.chips[c]?.nonces ?? 0) + (sample.chips[c]?.hwErrors ?? 0);
      });
      if (due >= 20 && got < 0.1 * due) {
        b.phaseStartMs += m.windowMs;
        return;
      }
      // A board reaching hotC while settling stops there: the governor takes over (sheds).
      const hot = b.phase === 'settle' && sample.boardC !== null && sample.boardC >= this.spec.hotC;
      if (b.phase === 'characterize-high' || b.phase === 'characterize-low' || b.phase === 'settle') this.feedSearches(b, bi, sample.chips, expectedOf, m.nowMs, hot);
      else if (b.phase === 'validate') this.feedValidate(b, bi, sample.chips, expectedOf, m.nowMs);
      else if (b.phase === 'tuned') this.feedMonitor(b, bi, sample.chips, expectedOf, m.nowMs, sample.boardC);
    });
    if (this.boards.every((b) => b.phase === 'planning' || b.phase === 'tuned') && this.boards.some((b) => b.phase === 'planning')) this.replan(m.nowMs);
    const short = this.converged ? this.floorShortfall() : 0;
    if (short > 0 && this.replans < 2) {
      // The settled chips came in under the plan: re-plan with what the settle measured and a
      // larger margin over the floor.
      this.replans++;
      this.floorMargin += short + 0.005;
      for (const b of this.boards) this.enter(b, 'planning', m.nowMs);
      this.replan(m.nowMs);
    }
    if (this.converged) {
      if (!this.wasConverged) this.tunedAtMs = m.nowMs;
      this.govern(m);
    }
    this.wasConverged = this.converged;
    return this.settings();
  }

  private feedSearches(b: BoardState, bi: number, chips: ReadonlyArray<{ nonces: number; hwErrors: number }>, expectedOf: (c: number) => number, nowMs: number, stopNow = false): void {
    const s = b.searches!;
    const capped = stopNow || nowMs - b.phaseStartMs >= this.o.phaseCapMs;
    let open = 0;
    s.forEach((x, c) => {
      if (!x) return;
      const k = chips[c] ?? { nonces: 0, hwErrors: 0 };
      const out = capped ? x.stop() : x.feed(k.nonces, k.hwErrors, expectedOf(c));
      if (!out.done) open++;
      else b.index[c] = out.index;
    });
    if (open > 0) return;
    const freqs = b.index.map((i, c) => (s[c] ? (s[c]!.dead ? 0 : this.spec.ladderMHz[i]!) : (b.chars[b.chars.length - 1]?.freqMHz[c] ?? this.spec.ladderMHz[i]!)));
    s.forEach((x, c) => {
      if (x?.dead && !b.dead[c]) {
        b.dead[c] = true;
        this.events.push({ kind: 'chip_dead', board: bi, chip: c, message: `board ${bi} chip ${c} failed at every step tried; held at the lowest` });
      }
    });
    if (b.phase === 'settle') {
      // What the settle found is a characterisation at this voltage too (re-plans use it).
      const planned0 = this.lastPlan?.boards[bi];
      const at = s.map((x, c) => (b.dead[c] ? 0 : x ? (x.dead ? 0 : this.spec.ladderMHz[Math.max(0, x.lo)]!) : this.spec.ladderMHz[Math.min(this.spec.ladderMHz.length - 1, (planned0?.maxIndex[c] ?? b.index[c]!) + this.o.backoff)]!));
      b.chars = b.chars.filter((ch) => Math.abs(ch.voltageV - b.voltageV) > 1e-6);
      b.chars.push({ voltageV: b.voltageV, freqMHz: at });
      b.cap = [...b.index];
      const planned = this.lastPlan?.boards[bi];
      if (planned) b.index = b.index.map((i, c) => Math.min(i, planned.index[c] ?? i));
      this.enter(b, 'tuned', nowMs);
      return;
    }
    // Store the un-backed-off highest good frequency for the models (chips not searched keep theirs).
    const hiGood = s.map((x, c) => (x ? (x.dead ? 0 : this.spec.ladderMHz[Math.max(0, x.lo)]!) : freqs[c]!));
    b.chars = b.chars.filter((ch) => Math.abs(ch.voltageV - b.voltageV) > 1e-6);
    b.chars.push({ voltageV: b.voltageV, freqMHz: hiGood });
    const lowV = this.spec.voltage.minV;
    if (b.phase === 'characterize-high' && lowV < b.voltageV - 1e-6) {
      const pred = predictFreqs(b.chars, lowV);
      b.voltageV = lowV;
      b.searches = pred.map((f, c) => (b.dead[c] ? null : new ChipSearch(floorIndex(this.spec.ladderMHz, f), { stride: 2, backoff: this.o.backoff, sprt: this.o.sprt, maxIndex: this.spec.ladderMHz.length - 1 })));
      b.index = pred.map((f, c) => (b.dead[c] ? 0 : floorIndex(this.spec.ladderMHz, f)));
      this.enter(b, 'characterize-low', nowMs);
      return;
    }
    this.enter(b, 'planning', nowMs);
  }

  private feedValidate(b: BoardState, bi: number, chips: ReadonlyArray<{ nonces: number; hwErrors: number }>, expectedOf: (c: number) => number, nowMs: number): void {
    b.searches ??= b.index.map(() => null);
    const capped = nowMs - b.phaseStartMs >= this.o.phaseCapMs;
    let open = 0;
    let failed = 0;
    b.index.forEach((idx, c) => {
      if (b.dead[c]) return;
      const search = b.searches![c];
      const k = chips[c] ?? { nonces: 0, hwErrors: 0 };
      if (search) {
        const out = capped ? search.stop() : search.feed(k.nonces, k.hwErrors, expectedOf(c));
        failed++;
        if (!out.done) open++;
        else b.index[c] = out.index;
        return;
      }
      const mon = b.monitors[c]!;
      if (b.validated[c]) return;
      const silent = yieldTooLow(k.nonces + k.hwErrors, expectedOf(c));
      const d = silent ? 'reject' : capped ? 'accept' : sprtUpdate(mon, k.nonces, k.hwErrors, this.o.sprt);
      if (d === 'accept') b.validated[c] = true;
      else if (d === 'reject') {
        // Known bad at the stored step: search down from it.
        b.searches![c] = new ChipSearch(idx - 2, { stride: 4, backoff: this.o.backoff, sprt: this.o.sprt, maxIndex: this.spec.ladderMHz.length - 1 }, { hi: idx });
        b.steppedDown.push(c);
        open++;
        failed++;
      } else open++;
    });
    if (failed > this.o.revalidateFailShare * this.spec.chipsPerBoard) {
      this.events.push({ kind: 'retune', board: bi, message: `board ${bi}: ${failed} chips failed their stored profile; re-tuning the board` });
      this.restartBoard(b, nowMs);
      return;
    }
    if (open > 0) return;
    b.monitors = b.monitors.map(newSprt);
    b.cap = [...b.index];
    b.searches = null;
    b.cap.forEach((_, c) => this.noteCap(b, c));
    this.enter(b, 'tuned', nowMs);
  }

  /** Keeps the characterisation at the board's voltage in line with a chip's (lowered) cap, so re-plans do not hand back a step it lost. */
  private noteCap(b: BoardState, c: number): void {
    const ch = b.chars.find((x) => Math.abs(x.voltageV - b.voltageV) < 1e-6);
    if (!ch) return;
    const f = this.spec.ladderMHz[Math.min(this.spec.ladderMHz.length - 1, b.cap[c]! + this.o.backoff)]!;
    if (ch.freqMHz[c]! > f) ch.freqMHz[c] = f;
  }

  private restartBoard(b: BoardState, nowMs: number): void {
    resetForCharacterisation(b, this.spec, { stride: this.o.stride, backoff: this.o.backoff, sprt: this.o.sprt });
    this.enter(b, 'characterize-high', nowMs);
  }

  private feedMonitor(b: BoardState, bi: number, chips: ReadonlyArray<{ nonces: number; hwErrors: number }>, expectedOf: (c: number) => number, nowMs: number, boardC: number | null): void {
    b.index.forEach((idx, c) => {
      const k = chips[c] ?? { nonces: 0, hwErrors: 0 };
      const t = b.totals[c]!;
      t.nonces += k.nonces;
      t.hwErrors += k.hwErrors;
      t.expected += expectedOf(c);
      if (b.dead[c]) return;
      const down = b.downs[c];
      if (down && b.cap[c]! < b.tunedCap[c]! && mayRetry(down, nowMs, boardC)) {
        // Cooler than when it lost the step: try it again (the monitor takes it back if not).
        down.tries++;
        down.atMs = nowMs;
        if (b.index[c] === b.cap[c]) b.index[c]!++;
        b.cap[c]!++;
        b.monitors[c] = newSprt();
        this.events.push({ kind: 'chip_restored', board: bi, chip: c, message: `board ${bi} chip ${c}: cooler now, trying ${this.spec.ladderMHz[b.cap[c]!]} MHz again` });
        return;
      }
      const d = sprtUpdate(b.monitors[c]!, k.nonces, k.hwErrors, this.o.sprt);
      if (d === 'continue') return;
      b.monitors[c] = newSprt();
      if (d === 'reject' && idx > 0) {
        b.index[c] = idx - 1;
        b.cap[c] = Math.min(b.cap[c]!, idx - 1);
        this.noteCap(b, c);
        b.steppedDown.push(c);
        b.downs[c] = { atMs: nowMs, boardC, tries: b.downs[c]?.tries ?? 0 };
        this.events.push({ kind: 'chip_stepped_down', board: bi, chip: c, message: `board ${bi} chip ${c}: HW errors above the limit at ${this.spec.ladderMHz[idx]} MHz; now ${this.spec.ladderMHz[idx - 1]} MHz` });
      }
    });
  }

  private replan(nowMs: number): void {
    const model = this.model ?? { a: 0, d: 0 };
    const p = plan({ spec: this.spec, target: this.planTarget(), chars: this.boards.map((b) => b.chars), dead: this.boards.map((b) => b.dead), power: model, backoff: this.o.backoff, maxLoad: this.thermal.maxLoad });
    this.lastPlan = p;
    this.events.push({ kind: 'planned', board: -1, message: `plan: ${(p.hashrateHps / 1e6).toFixed(1)} MH/s, ${p.wallPowerW.toFixed(0)} W predicted${p.feasible ? '' : ' (target not reachable; closest)'}` });
    this.boards.forEach((b, bi) => {
      const bp = p.boards[bi]!;
      const known = b.chars.find((c) => Math.abs(c.voltageV - bp.voltageV) < 1e-6);
      b.voltageV = bp.voltageV;
      if (known) {
        // Measured at this very voltage: the chips' searched steps stand; no settle needed.
        b.cap = known.freqMHz.map((f, c) => (b.dead[c] ? 0 : Math.max(0, floorIndex(this.spec.ladderMHz, f) - this.o.backoff)));
        b.index = b.cap.map((x, c) => Math.min(x, bp.index[c]!));
        b.searches = null;
        this.enter(b, 'tuned', nowMs);
        return;
      }
      // Chips planned at their predicted maximum find their real one around it, starting at the
      // step they are expected to hold (one under the predicted highest good; further under
      // when the voltage is above any measured one), climbing one step at a time; the rest hold.
      const measuredTop = Math.max(...b.chars.map((c) => c.voltageV));
      const start = (x: number): number => Math.max(0, bp.voltageV > measuredTop + 1e-6 ? x - 2 : x);
      b.index = bp.index.map((x, c) => (x < bp.maxIndex[c]! ? x : start(x)));
      b.searches = bp.index.map((x, c) => (b.dead[c] || x < bp.maxIndex[c]! ? null : new ChipSearch(start(x), { stride: 1, backoff: this.o.backoff, sprt: this.o.sprt, maxIndex: this.spec.ladderMHz.length - 1 })));
      if (b.searches.every((s) => s === null)) {
        b.cap = [...bp.maxIndex];
        b.searches = null;
        this.enter(b, 'tuned', nowMs);
      } else this.enter(b, 'settle', nowMs);
    });
  }

  private learnThermalBudget(m: Measurement): void {
    if (!this.model) return;
    const s = this.settings();
    const boards = this.boards.map((b, bi) => ({
      boardC: m.boards[bi]?.boardC ?? null,
      load: s.voltageV[bi]! * s.voltageV[bi]! * s.freqMHz[bi]!.reduce((x, f) => x + f, 0),
      shedSteps: b.index.reduce((x, idx, k) => x + Math.max(0, b.cap[k]! - idx), 0),
      capSteps: b.cap.reduce((x, y) => x + y, 0),
      lastThermalShedMs: this.governor.lastThermalShedMs[bi],
    }));
    if (!this.thermal.learn(m.nowMs, boards)) return;
    boards.forEach((_, bi) => delete this.governor.lastThermalShedMs[bi]);
    this.events.push({ kind: 'retune', board: -1, message: 'heat holds boards back: re-planning within their thermal budget' });
    for (const b of this.boards) this.enter(b, 'planning', m.nowMs);
    this.replan(m.nowMs);
  }

  private floorShortfall(): number {
    return floorShortfall(this.target, nominalHashrateHps(this.spec, this.settings(), this.boards.map((b) => b.dead)));
  }

  private planTarget(): TuningTarget {
    return withFloorMargin(this.target, this.floorMargin);
  }

  private govern(m: Measurement): void {
    const budget = this.target.kind === 'power' ? this.target.maxPowerW : null;
    const v = this.boards.reduce((s, b) => s + b.voltageV, 0) / this.boards.length;
    const lad = this.spec.ladderMHz;
    const stepMHz = (lad[lad.length - 1]! - lad[0]!) / Math.max(1, lad.length - 1);
    const wattsPerStep = (this.model?.a ?? 0) * v * v * stepMHz;
    const shedPerBoard = this.boards.map((b) => b.index.reduce((s, x, c) => s + Math.max(0, b.cap[c]! - x), 0));
    const d = this.governor.decide({
      nowMs: m.nowMs,
      wallPowerW: m.wallPowerW,
      budgetW: budget,
      wattsPerStep,
      boardC: m.boards.map((x) => x.boardC),
      hotC: this.spec.hotC,
      chipsPerBoard: this.spec.chipsPerBoard,
      shedPerBoard,
      stepsPerBoard: this.boards.map((b) => b.index.reduce((x, y) => x + y, 0)),
    });
    this.learnThermalBudget(m);
    d.forEach((steps, bi) => {
      if (steps === 0) return;
      const b = this.boards[bi]!;
      const usable = b.dead.map((x) => !x);
      // Cost per hash at the chip's tuned step (a stable order), less 2 % per step already shed,
      // so shedding spreads over the costly chips instead of driving one to the bottom.
      const cost = (c: number): number => {
        const t = b.totals[c]!;
        const hw = t.nonces + t.hwErrors > 0 ? t.hwErrors / (t.nonces + t.hwErrors) : 0;
        return chipCost(lad[b.cap[c]!]!, this.spec.stockMHz, hw) * (1 - 0.02 * Math.max(0, b.cap[c]! - b.index[c]!));
      };
      if (steps > 0) {
        const n = shedSteps(b.index, b.index.map(() => 0), cost, steps, usable);
        if (n > 0) this.events.push({ kind: 'shed', board: bi, message: `board ${bi}: shed ${n} PLL steps` });
      } else {
        const n = restoreSteps(b.index, b.cap, cost, -steps, usable);
        if (n > 0) this.events.push({ kind: 'restored', board: bi, message: `board ${bi}: restored ${n} PLL steps` });
      }
    });
  }

  private enter(b: BoardState, phase: BoardPhase, nowMs: number): void {
    if (phase === 'tuned') {
      b.tunedCap = [...b.cap];
      b.downs = [];
    }
    b.phase = phase;
    b.phaseStartMs = nowMs;
    this.events.push({ kind: 'phase', board: this.boards.indexOf(b), message: `board ${this.boards.indexOf(b)}: ${phase}` });
  }

  /** The voltage exponent fitted per board (for the report). */
  exponent(board: number): number {
    return voltageExponent(this.boards[board]!.chars);
  }
}
