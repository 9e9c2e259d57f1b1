/**
 * The only writer of chip PLL frequencies. Tuning sets each chip's base, health sets caps (or
 * disables a chip), thermal/power set a board scale; the owner keeps one FrequencyPlan and writes
 * to each chain only the chips whose effective frequency differs from what the chain runs
 * (Chain.freqMHz, the driver's record of its last write). Writes to one chain are serialised:
 * one apply (or re-init) at a time, so two ramps never interleave on a chain; requests that
 * arrive while one is queued coalesce into it (it reads the plan when it starts).
 *
 * When every chip moves from one common frequency to another, the whole chain is set at once
 * (a broadcast PLL write, ramped by the driver); otherwise chip by chip, in lockstep: each round
 * moves every changing chip one ramp step (one PLL write each), then waits one step time, so a
 * 72-chip chain ramps as fast as one chip (not 72 ramps one after another). Chips going down
 * finish before any chip goes up, so the board's power never overshoots during the change.
 *
 * A board whose chain is not up (powering, re-initialising, paused) is skipped: the plan keeps
 * what was asked, and `reinit`/`reapplyAll` write it once the chain is back.
 */
import type { Logger } from 'pino';
import { KabosuError } from '../core/errors';
import { TypedEmitter } from '../core/events';
import type { Clock } from '../hal/types';
import { diffBoard, FrequencyPlan, type FrequencyCap, type FrequencyChange, type FrequencyPlanSpec } from './frequencyPlan';

/** What the owner needs of a chain: chips/chainDriver.ts `Chain` fits. */
export interface FrequencyChain {
  /** Per chip frequency as last set. */
  readonly freqMHz: readonly number[];
  setFrequency(targetMHz: number, o?: { chip?: number; stepMHz?: number; stepMs?: number }): Promise<number>;
}

export interface FrequencyOwnerEvents {
  /** Chips of a board were written (only those that changed). */
  applied: { board: number; changes: FrequencyChange[]; wholeChain: boolean; atMs: number };
  /** A write to a board's chain failed; the plan keeps the request (re-applied after a re-init). */
  failed: { board: number; error: string; code?: string; atMs: number };
}

export interface FrequencyOwnerOptions {
  spec: FrequencyPlanSpec;
  /** A board's chain when it is up and addressed, else undefined (nothing is written). */
  chain(board: number): FrequencyChain | undefined;
  clock: Pick<Clock, 'now' | 'sleep'>;
  log: Logger;
  /** Ramp: at most stepMHz per PLL write, stepMs apart (default 25 MHz / 100 ms, as Chain.setFrequency). */
  ramp?: { stepMHz?: number; stepMs?: number };
}

export interface ApplyResult {
  board: number;
  /** False when the board's chain is not up: nothing written, the plan waits for it. */
  written: boolean;
  /** The plan's effective frequency per chip of the board after this apply. */
  effectiveMHz: number[];
}

export interface ChipFrequency {
  chip: number;
  baseMHz: number;
  capMHz: FrequencyCap;
  effectiveMHz: number;
  /** What the chain last wrote to the chip (null while the chain is not up). */
  runningMHz: number | null;
}

export interface FrequencySnapshot {
  boards: Array<{ board: number; scale: number; chips: ChipFrequency[] }>;
}

export class FrequencyOwner {
  readonly events = new TypedEmitter<FrequencyOwnerEvents>();
  private planNow: FrequencyPlan;
  /** Per board: the end of its queue (never rejects). */
  private readonly tail: Promise<void>[];
  /** Per board: an apply queued and not started yet (later requests join it). */
  private readonly pending: Array<Promise<ApplyResult> | null>;

  constructor(private readonly o: FrequencyOwnerOptions) {
    const r = o.ramp ?? {};
    if (!((r.stepMHz ?? 25) > 0 && Number.isFinite(r.stepMHz ?? 25) && (r.stepMs ?? 100) >= 0)) {
      throw new KabosuError('KBS_E_FREQ_BAD_VALUE', `ramp ${JSON.stringify(r)} is not valid`, { hint: 'stepMHz > 0, stepMs >= 0' });
    }
    this.planNow = FrequencyPlan.stock(o.spec);
    this.tail = o.spec.chipsPerBoard.map(() => Promise.resolve());
    this.pending = o.spec.chipsPerBoard.map(() => null);
  }

  get plan(): FrequencyPlan {
    return this.planNow;
  }

  /** Tuning: the base of one chip, or of every chip of the board. */
  async setBase(board: number, chip: number | 'all', mhz: number): Promise<ApplyResult> {
    this.planNow = this.planNow.withBase(board, chip, mhz);
    return this.schedule(board);
  }

  /** Health: a ceiling for one chip (MHz), `disabled` (PLL at the floor), or null to lift it. */
  async setCap(board: number, chip: number, cap: FrequencyCap): Promise<ApplyResult> {
    this.planNow = this.planNow.withCap(board, chip, cap);
    return this.schedule(board);
  }

  /** Thermal/power: the board's scale (0.5..1). */
  async setScale(board: number, scale: number): Promise<ApplyResult> {
    this.planNow = this.planNow.withScale(board, scale);
    return this.schedule(board);
  }

  /**
   * Runs `task` (a chain re-init: reset, enumerate, stock PLL) alone on the board's queue, then
   * writes the plan to the fresh chain when the task says the chain came up.
   */
  async reinit(board: number, task: () => Promise<boolean>): Promise<boolean> {
    this.planNow.chipCount(board); // a typed error for a board the miner does not have
    const run = this.tail[board]!.then(task);
    this.tail[board] = run.then(noop, noop);
    const ok = await run;
    if (ok) await this.schedule(board).catch(noop); // a failure is reported by the `failed` event
    return ok;
  }

  /** Writes the plan to every board whose chain is up (after a mining restart or resume). */
  async reapplyAll(): Promise<ApplyResult[]> {
    return Promise.all(Array.from({ length: this.planNow.boardCount }, (_, b) => this.schedule(b)));
  }

  /** Mean effective frequency of a board's chips (chain-level figures), null without chips. */
  boardMeanMHz(board: number): number | null {
    const n = this.planNow.chipCount(board);
    if (n === 0) return null;
    const e = this.planNow.effectiveBoard(board);
    // Every chip on one ladder step (the usual case): that step exactly, not a sum's 1-ulp drift.
    if (e.every((f) => f === e[0])) return e[0]!;
    return e.reduce((a, f) => a + f, 0) / n;
  }

  snapshot(): FrequencySnapshot {
    const p = this.planNow;
    return {
      boards: Array.from({ length: p.boardCount }, (_, b) => {
        const bp = p.board(b);
        const running = this.o.chain(b)?.freqMHz;
        return {
          board: b,
          scale: bp.scale,
          chips: bp.baseMHz.map((baseMHz, chip) => ({ chip, baseMHz, capMHz: bp.cap[chip]!, effectiveMHz: p.effective(b, chip), runningMHz: running?.[chip] ?? null })),
        };
      }),
    };
  }

  private lockstep(chain: FrequencyChain, changes: readonly FrequencyChange[], ramp: { stepMHz: number; stepMs: number }): Promise<void> {
    return changes.length === 0 ? Promise.resolve() : lockstepRamp(chain, changes, ramp, (ms) => this.o.clock.sleep(ms));
  }

  private schedule(board: number): Promise<ApplyResult> {
    const queued = this.pending[board];
    if (queued) return queued;
    const run = this.tail[board]!.then(() => {
      this.pending[board] = null;
      return this.applyNow(board);
    });
    this.pending[board] = run;
    this.tail[board] = run.then(noop, noop);
    return run;
  }

  private async applyNow(board: number): Promise<ApplyResult> {
    const want = this.planNow.effectiveBoard(board);
    const chain = this.o.chain(board);
    if (!chain) return { board, written: false, effectiveMHz: want };
    const changes = diffBoard(board, chain.freqMHz, want);
    if (changes.length === 0) return { board, written: true, effectiveMHz: want };
    const ramp = { stepMHz: this.o.ramp?.stepMHz ?? 25, stepMs: this.o.ramp?.stepMs ?? 100 };
    const from = chain.freqMHz;
    const uniform = (xs: readonly (number | undefined)[]) => xs.length > 0 && xs.every((x) => x !== undefined && x === xs[0]);
    const wholeChain = changes.length === want.length && from.length === want.length && uniform(from) && uniform(want);
    try {
      if (wholeChain) await chain.setFrequency(want[0]!, { ...ramp });
      else {
        // Down first, then up: the board's power falls before it rises.
        const up = (c: FrequencyChange) => Number.isFinite(c.fromMHz) && c.toMHz > c.fromMHz;
        await this.lockstep(chain, changes.filter((c) => !up(c)), ramp);
        await this.lockstep(chain, changes.filter(up), ramp);
      }
    } catch (err) {
      const e = err as Error & { code?: string };
      this.o.log.warn({ board, err: e.message, code: e.code }, 'chip frequencies not applied; kept in the plan for the next re-init');
      this.events.emit('failed', { board, error: e.message, ...(e.code ? { code: e.code } : {}), atMs: this.o.clock.now() });
      throw new KabosuError('KBS_E_FREQ_APPLY', `board ${board}: could not set chip frequencies: ${e.message}`, { hint: 'the chain may be down; the plan is re-applied when it is re-initialised', context: { board }, cause: err });
    }
    // debug: the tuner changes single chips every few seconds; throttles raise their own events.
    this.o.log.debug({ board, chips: changes.length, wholeChain, toMHz: wholeChain ? want[0] : undefined }, 'chip frequencies applied');
    this.events.emit('applied', { board, changes, wholeChain, atMs: this.o.clock.now() });
    return { board, written: true, effectiveMHz: want };
  }
}

/**
 * Ramps several chips together: each round writes every unfinished chip's next step (at most
 * stepMHz, exactly the target on the last), then sleeps stepMs once. A chip whose frequency is
 * unknown goes straight to its target (it is being brought to the plan, not ramped from a value).
 */
async function lockstepRamp(chain: FrequencyChain, changes: readonly FrequencyChange[], ramp: { stepMHz: number; stepMs: number }, sleep: (ms: number) => Promise<void>): Promise<void> {
  const cur = changes.map((c) => c.fromMHz);
  for (;;) {
    let more = false;
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i]!;
      const at = cur[i]!;
      if (at === c.toMHz) continue;
      const next = !Number.isFinite(at) || Math.abs(c.toMHz - at) <= ramp.stepMHz ? c.toMHz : at + Math.sign(c.toMHz - at) * ramp.stepMHz;
      // One PLL write: the step is within the driver's ramp step, so it does not ramp again.
      await chain.setFrequency(next, { chip: c.chip, stepMHz: Number.POSITIVE_INFINITY });
      cur[i] = next;
      if (next !== c.toMHz) more = true;
    }
    if (!more) return;
    await sleep(ramp.stepMs);
  }
}

function noop(): void {}
