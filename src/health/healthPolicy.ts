import type { ChipHealthState } from './chipHealth';
import type { ChainHealthState, ChainProblem } from './chainHealth';
import type { HwFault } from './hwFaults';

/**
 * What to do about a health change, pure and bounded (docs/health.md "Actions"):
 * - chip dead for `deadGraceMs`: disable it (its PLL to the floor, out of the statistics). A
 *   chain re-init would not bring a dead chip back and the stock init refuses a chain with a
 *   chip missing, so one dead chip must not cost the board; `deadChipsForReinit` dead chips at
 *   once (a supply dip or hung chips) re-init the chain instead, once; dead again after: disabled.
 * - chip degraded by HW errors: lower its frequency one step; at the floor: disable it.
 * - chip lowered and ok since for `recoverAfterMs`: one step back up (the last step lifts the
 *   cap). Degraded again within `recoverAfterMs` of a step up counts as a failed recovery and
 *   doubles the next wait; after `maxRecoverFailures` the chip stays lowered. A hot afternoon or a
 *   bad batch of work must not cost a chip its frequency for good.
 * - chain failed or chips missing: re-init (at most `maxReinitsPerHour` per chain); a failed
 *   chain with no re-init left: power the board off.
 * - regulator no answer / mismatch: power the board off (the interlock's rule too).
 * Everything else is an alert only (sensors and fans are the interlock's to act on).
 *
 * With `act: false` (config `health.actions: "report"`) the same decisions are made and returned
 * (the monitor raises them as advice), but nothing is taken for done: an advised chip stays
 * judged (it is not disabled) and is advised again only after it recovered; an advised board
 * power-off stops further advice for that board, as a real one would.
 */
export type HealthAction =
  | { kind: 'reinit_chain'; chain: number; reason: string }
  | { kind: 'lower_chip_freq'; chain: number; chip: number; toMHz: number; reason: string }
  /** `toMHz` null: the cap is lifted (the chip runs what tuning gives it). */
  | { kind: 'raise_chip_freq'; chain: number; chip: number; toMHz: number | null; reason: string }
  | { kind: 'disable_chip'; chain: number; chip: number; reason: string }
  | { kind: 'power_off_board'; board: number; reason: string };

export interface HealthPolicyParams {
  maxReinitsPerHour: number;
  freqStepMHz: number;
  minFreqMHz: number;
  /** This many dead chips on one chain at once re-init the chain rather than disable them. */
  deadChipsForReinit: number;
  /** A lone dead chip is disabled after this long dead (others may be dying with it). */
  deadGraceMs: number;
  /** false: advise only (the monitor performs nothing). Default true. */
  act?: boolean;
  /** A lowered chip ok for this long gets one step back (0 or absent: never). */
  recoverAfterMs?: number;
  /** Failed recoveries (degraded again soon after a step up) before a chip stays lowered. */
  maxRecoverFailures?: number;
}

/** A chip health lowered: steps below its uncapped frequency, and its recovery record. */
interface Lowered {
  steps: number;
  okSince: number | null;
  raisedAt: number | null;
  failures: number;
}

export class HealthPolicy {
  private reinits = new Map<number, number[]>();
  /** chain -> time of the last re-init this policy asked for */
  private lastReinit = new Map<number, number>();
  /** `${chain}.${chip}` -> when its current death began */
  private deadSince = new Map<string, number>();
  /** chips that were dead when a re-init of their chain was decided */
  private reinitTried = new Set<string>();
  private pendingReinit = new Set<number>();
  private disabled = new Set<string>();
  private poweredOff = new Set<number>();
  /** Report mode: chips advised disabled / boards advised off (not done). */
  private advised = new Set<string>();
  private advisedOff = new Set<number>();
  /** `${chain}.${chip}` -> chips lowered for HW errors (acting only). */
  private lowered = new Map<string, Lowered>();

  constructor(private p: HealthPolicyParams) {}

  /** True when decisions are performed (`act` not false). */
  get acting(): boolean {
    return this.p.act !== false;
  }

  /** New thresholds (config hot reload). Going from report to auto forgets the advice, so it is decided again and done. */
  configure(p: HealthPolicyParams): void {
    const wasActing = this.acting;
    this.p = p;
    if (!wasActing && this.acting) {
      this.advised.clear();
      this.advisedOff.clear();
    }
  }

  private off(chain: number): boolean {
    return this.poweredOff.has(chain) || this.advisedOff.has(chain);
  }

  private disable(key: string, chain: number, chip: number, reason: string): HealthAction[] {
    (this.acting ? this.disabled : this.advised).add(key);
    return [{ kind: 'disable_chip', chain, chip, reason }];
  }

  private powerOff(board: number, reason: string): HealthAction[] {
    (this.acting ? this.poweredOff : this.advisedOff).add(board);
    return [{ kind: 'power_off_board', board, reason }];
  }

  private canReinit(chain: number, nowMs: number): boolean {
    const list = (this.reinits.get(chain) ?? []).filter((t) => t > nowMs - 3600_000);
    this.reinits.set(chain, list);
    return list.length < this.p.maxReinitsPerHour && !this.off(chain);
  }

  private reinit(chain: number, nowMs: number, reason: string): HealthAction {
    this.pendingReinit.add(chain);
    this.reinits.get(chain)!.push(nowMs);
    this.lastReinit.set(chain, nowMs);
    return { kind: 'reinit_chain', chain, reason };
  }

  /** `deadOnChain`: chips of this chain currently dead (including this one). */
  onChip(nowMs: number, chain: number, chip: number, state: ChipHealthState, reason: string, freqMHz: number | null, deadOnChain = 1): HealthAction[] {
    const key = `${chain}.${chip}`;
    if (state === 'ok' || state === 'degraded') this.advised.delete(key); // recovered since the advice: may be advised again
    if (this.disabled.has(key) || this.advised.has(key) || this.off(chain)) return [];
    if (state !== 'dead') {
      this.deadSince.delete(key);
      if (state === 'ok' || state === 'degraded') this.reinitTried.delete(key);
    }
    if (state === 'dead') {
      const since = this.deadSince.get(key) ?? nowMs;
      this.deadSince.set(key, since);
      if (this.pendingReinit.has(chain)) {
        this.reinitTried.add(key); // that re-init is for this chip too: wait for its outcome
        return [];
      }
      if (this.reinitTried.has(key)) return this.disable(key, chain, chip, 'dead again after a chain re-init');
      if (deadOnChain >= this.p.deadChipsForReinit && this.canReinit(chain, nowMs)) {
        this.reinitTried.add(key);
        this.pendingReinit.add(chain);
        return [this.reinit(chain, nowMs, `${deadOnChain} chips dead`)];
      }
      if (nowMs - since < this.p.deadGraceMs) return []; // other chips may be dying too (supply, hang): wait a little
      return this.disable(key, chain, chip, 'dead (no result for far longer than a healthy chip could be quiet)');
    }
    if (state === 'degraded' && reason === 'hw_errors' && freqMHz !== null) {
      const to = freqMHz - this.p.freqStepMHz;
      if (to >= this.p.minFreqMHz) {
        if (this.acting) this.noteLowered(key, nowMs);
        return [{ kind: 'lower_chip_freq', chain, chip, toMHz: to, reason: 'HW errors above limit' }];
      }
      this.lowered.delete(key);
      return this.disable(key, chain, chip, `HW errors above limit at the minimum frequency ${freqMHz} MHz`);
    }
    return [];
  }

  private noteLowered(key: string, nowMs: number): void {
    const l = this.lowered.get(key) ?? { steps: 0, okSince: null, raisedAt: null, failures: 0 };
    if (l.raisedAt !== null && nowMs - l.raisedAt < (this.p.recoverAfterMs ?? 0)) l.failures++;
    l.steps++;
    l.okSince = null;
    l.raisedAt = null;
    this.lowered.set(key, l);
  }

  /** How long a lowered chip must stay ok before its next step up (doubles per failed recovery). */
  recoveryWaitMs(failures: number): number {
    return (this.p.recoverAfterMs ?? 0) * 2 ** failures;
  }

  /**
   * Every tick, per chain: lowered chips that stayed ok long enough get one step back up.
   * `states[chip]` and `freqMHz[chip]` (health's frame: min(base, cap)) are the chain's now.
   */
  onTick(nowMs: number, chain: number, states: readonly ChipHealthState[], freqMHz: readonly (number | null)[]): HealthAction[] {
    const after = this.p.recoverAfterMs ?? 0;
    if (after <= 0 || !this.acting || this.off(chain)) return [];
    const out: HealthAction[] = [];
    for (const [key, l] of this.lowered) {
      const [c, chip] = key.split('.').map(Number) as [number, number];
      if (c !== chain) continue;
      if (this.disabled.has(key)) {
        this.lowered.delete(key);
        continue;
      }
      if (states[chip] !== 'ok') {
        l.okSince = null;
        continue;
      }
      l.okSince ??= nowMs;
      const f = freqMHz[chip];
      if (l.steps === 0 || f === null || f === undefined || l.failures >= (this.p.maxRecoverFailures ?? 3)) continue;
      if (nowMs - l.okSince < this.recoveryWaitMs(l.failures)) continue;
      l.steps--;
      l.raisedAt = nowMs;
      l.okSince = nowMs; // the next step needs another quiet period
      const lifted = l.steps === 0;
      const mins = Math.round(this.recoveryWaitMs(l.failures) / 60_000);
      out.push({ kind: 'raise_chip_freq', chain, chip, toMHz: lifted ? null : f + this.p.freqStepMHz, reason: `ok for ${mins} min since it was lowered${lifted ? ': cap lifted' : ''}` });
    }
    return out;
  }

  /** A lowered chip's recovery record, for status and tests. */
  recovery(chain: number, chip: number): Readonly<Lowered> | undefined {
    return this.lowered.get(`${chain}.${chip}`);
  }

  /** The monitor performed a re-init this policy asked for. */
  reinitDone(chain: number): void {
    this.pendingReinit.delete(chain);
  }

  onChain(nowMs: number, chain: number, state: ChainHealthState, problems: readonly ChainProblem[]): HealthAction[] {
    if (this.off(chain)) return [];
    const missing = problems.some((x) => x.kind === 'chips_missing' || x.kind === 'no_chips');
    if (state !== 'failed' && !missing) return [];
    const why = problems.map((x) => x.message).join('; ');
    if (this.canReinit(chain, nowMs)) return [this.reinit(chain, nowMs, why)];
    if (state === 'failed') return this.powerOff(chain, `${why}; re-init did not help`);
    return [];
  }

  onHardwareFault(f: HwFault): HealthAction[] {
    if ((f.kind === 'regulator_no_answer' || f.kind === 'regulator_mismatch') && f.board !== null && !this.off(f.board)) return this.powerOff(f.board, f.message);
    return [];
  }

  isDisabled(chain: number, chip: number): boolean {
    return this.disabled.has(`${chain}.${chip}`);
  }

  isPoweredOff(board: number): boolean {
    return this.poweredOff.has(board);
  }

  /** An operator brought a board back (or restarted mining): forget its history. */
  resetBoard(board: number): void {
    this.poweredOff.delete(board);
    this.advisedOff.delete(board);
    this.reinits.delete(board);
    this.lastReinit.delete(board);
    for (const k of [...this.disabled]) if (k.startsWith(`${board}.`)) this.disabled.delete(k);
    for (const k of [...this.advised]) if (k.startsWith(`${board}.`)) this.advised.delete(k);
    for (const k of [...this.deadSince.keys()]) if (k.startsWith(`${board}.`)) this.deadSince.delete(k);
    for (const k of [...this.reinitTried]) if (k.startsWith(`${board}.`)) this.reinitTried.delete(k);
    this.pendingReinit.delete(board);
  }
}
