import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../hal/types';
import type { DaemonEvent } from '../core/minerApi';
import { ChipHealthTracker, DEFAULT_CHIP_HEALTH, type ChipHealthParams, type ChipHealthState, type ChipTotals } from './chipHealth';
import { ChainHealthTracker, DEFAULT_CHAIN_HEALTH, type ChainHealthParams, type ChainHealthState } from './chainHealth';
import { HealthPolicy, type HealthAction, type HealthPolicyParams } from './healthPolicy';
import type { HwFault } from './hwFaults';

/**
 * The running miner's health: every `intervalMs` it judges each chip (chipHealth) and chain
 * (chainHealth), asks the policy what to do, has the miner do it, and raises DaemonEvents for
 * every change and action. Hardware checks (sensors, fans, PSU, regulators) are the caller's
 * to read (`reportHardware`), so this stays free of I/O. Tests drive `tick(now)` directly.
 * When the policy does not act (`policy.act: false`, config `health.actions: "report"`) every
 * decision is raised as `health_advice` and nothing reaches `MinerActions`.
 */
export interface MonitoredChain {
  index: number;
  ready: boolean;
  /** False while no work reaches the chips (no pool job yet): chips are not judged then. */
  workFlowing?: boolean;
  /** null while starting */
  chipsFound: number | null;
  expectedChips: number;
  /** Chain's expected hashrate at its frequency, H/s. */
  expectedHps: number;
  ticketDifficulty: number | null;
  frames: number;
  badFrames: number;
  chipFreqMHz: readonly (number | null)[];
  chips: readonly ChipTotals[];
  /** Set when the chain's (re-)init failed and it stays down. */
  error?: string;
}

export interface MinerActions {
  reinitChain(chain: number): Promise<boolean>;
  /** A frequency ceiling for the chip; null lifts it. */
  setChipFreq(chain: number, chip: number, mhz: number | null): Promise<void>;
  disableChip(chain: number, chip: number): Promise<void>;
  powerOffBoard(board: number, reason: string): Promise<void>;
}

export interface HealthMonitorOptions {
  clock: Clock;
  log: Logger;
  chains(): MonitoredChain[];
  actions: MinerActions;
  raise(e: DaemonEvent): void;
  policy: HealthPolicyParams;
  chip?: ChipHealthParams;
  chain?: ChainHealthParams;
  intervalMs?: number;
}

/** What `configure` may change while running (config hot reload). */
export interface HealthMonitorParams {
  policy: HealthPolicyParams;
  chip: ChipHealthParams;
  chain: ChainHealthParams;
  intervalMs: number;
}

export class HealthMonitor {
  private chipT: ChipHealthTracker[][] = [];
  private chainT: ChainHealthTracker[] = [];
  private workSince: (number | null)[] = [];
  readonly policy: HealthPolicy;
  private timer?: TimerHandle;
  private acting: Promise<void> = Promise.resolve();
  private faults = new Map<string, HwFault>();
  actionsTaken: HealthAction[] = [];

  private chipP: ChipHealthParams;
  private chainP: ChainHealthParams;
  private intervalMs: number;

  constructor(private readonly o: HealthMonitorOptions) {
    this.policy = new HealthPolicy(o.policy);
    this.chipP = o.chip ?? DEFAULT_CHIP_HEALTH;
    this.chainP = o.chain ?? DEFAULT_CHAIN_HEALTH;
    this.intervalMs = o.intervalMs ?? 5000;
  }

  start(): void {
    this.timer ??= this.o.clock.setInterval(() => this.tick(this.o.clock.now()), this.intervalMs);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /**
   * New thresholds and bounds: every tracker and the policy take them at once; windows, states
   * and the re-init budget already used are kept. A new interval restarts the timer if running.
   */
  configure(p: HealthMonitorParams): void {
    this.policy.configure(p.policy);
    this.chipP = p.chip;
    this.chainP = p.chain;
    for (const list of this.chipT) for (const t of list ?? []) t.configure(p.chip);
    for (const t of this.chainT) t?.configure(p.chain);
    if (p.intervalMs !== this.intervalMs) {
      this.intervalMs = p.intervalMs;
      if (this.timer) {
        this.stop();
        this.start();
      }
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * Forgets every chip and chain verdict and hardware fault (health switched off: nothing stale
   * is reported); the policy's record of what it did (disabled chips, boards off) stays true.
   */
  reset(): void {
    this.chipT = [];
    this.chainT = [];
    this.workSince = [];
    this.faults.clear();
  }

  /** Waits for the actions already decided (tests). */
  settled(): Promise<void> {
    return this.acting;
  }

  chipState(chain: number, chip: number): ChipHealthState | 'disabled' {
    if (this.policy.isDisabled(chain, chip)) return 'disabled';
    return this.chipT[chain]?.[chip]?.state ?? 'unknown';
  }

  chainState(chain: number): ChainHealthState {
    return this.chainT[chain]?.state ?? 'unknown';
  }

  chainProblems(chain: number): string[] {
    return (this.chainT[chain]?.problems ?? []).map((p) => p.message);
  }

  hardwareFaults(): HwFault[] {
    return [...this.faults.values()];
  }

  tick(nowMs: number): void {
    const actions: HealthAction[] = [];
    for (const chain of this.o.chains()) {
      const c = { ...chain, ready: chain.ready && chain.workFlowing !== false };
      const k = c.index;
      if (!this.chainT[k]) {
        this.chainT[k] = new ChainHealthTracker(this.chainP);
        this.workSince[k] = null;
      }
      if (c.ready && this.workSince[k] === null) {
        this.workSince[k] = nowMs;
        this.chipT[k] = c.chips.map(() => new ChipHealthTracker(this.chipP)); // fresh after (re-)init
      }
      if (!c.ready) this.workSince[k] = null;
      const trackers = (this.chipT[k] ??= c.chips.map(() => new ChipHealthTracker(this.chipP)));
      const perChipHps = c.expectedHps / Math.max(1, c.expectedChips);
      const states: ChipHealthState[] = [];
      const changes: { chip: number; state: ChipHealthState; reason: string; detail: string }[] = [];
      c.chips.forEach((totals, chip) => {
        if (this.policy.isDisabled(k, chip)) {
          states.push('ok'); // disabled chips no longer count against the chain
          return;
        }
        const v = trackers[chip].update(nowMs, totals, { expectedHps: perChipHps, ticketDifficulty: c.ticketDifficulty ?? 0, workSinceMs: c.ready ? this.workSince[k] : null });
        states.push(v.state);
        if (v.changed) changes.push({ chip, state: v.state, reason: v.reason, detail: v.detail });
      });
      const deadNow = states.filter((s) => s === 'dead').length;
      for (const ch of changes) {
        this.chipEvent(nowMs, k, ch.chip, ch.state, ch.reason, ch.detail);
        if (ch.state !== 'dead') actions.push(...this.policy.onChip(nowMs, k, ch.chip, ch.state, ch.reason, c.chipFreqMHz[ch.chip] ?? null, deadNow));
      }
      // Dead chips are re-decided every tick: the policy waits (grace, pending re-init) or acts once.
      states.forEach((st, chip) => {
        if (st === 'dead') actions.push(...this.policy.onChip(nowMs, k, chip, 'dead', 'no_results', c.chipFreqMHz[chip] ?? null, deadNow));
      });
      // Chips lowered earlier that stayed ok long enough get a step back (bounded by the policy).
      actions.push(...this.policy.onTick(nowMs, k, states, c.chipFreqMHz));
      const cv = this.chainT[k].update(nowMs, { expectedChips: c.expectedChips, chipsFound: c.chipsFound, frames: c.frames, badFrames: c.badFrames, chips: states, ...(chain.error !== undefined && !chain.ready ? { downError: chain.error } : {}) });
      // A failed chain is re-decided every tick (the policy's budget bounds it: re-inits, then
      // power off); other states only when they change.
      if (!cv.changed && cv.state === 'failed') actions.push(...this.policy.onChain(nowMs, k, cv.state, cv.problems));
      if (cv.changed && cv.state !== 'unknown') {
        const sev = cv.state === 'failed' ? 'critical' : cv.state === 'degraded' ? 'warning' : 'info';
        const msg = cv.problems.length ? cv.problems.map((p) => p.message).join('; ') : 'healthy';
        this.raise(nowMs, sev, cv.state === 'ok' ? 'chain_recovered' : `chain_${cv.state}`, `chain ${k} ${cv.state}: ${msg}`, { chain: k, problems: cv.problems.map((p) => p.kind) });
        actions.push(...this.policy.onChain(nowMs, k, cv.state, cv.problems));
      }
    }
    this.enqueue(nowMs, actions);
  }

  /** Results of the caller's hardware reads: new faults raise events (and actions), gone ones clear. */
  reportHardware(nowMs: number, faults: readonly HwFault[]): void {
    const seen = new Set<string>();
    const actions: HealthAction[] = [];
    for (const f of faults) {
      const key = `${f.kind}@${f.part}`;
      seen.add(key);
      if (this.faults.has(key)) continue;
      this.faults.set(key, f);
      this.raise(nowMs, f.severity, 'hw_fault', f.message, { fault: f.kind, part: f.part, board: f.board });
      actions.push(...this.policy.onHardwareFault(f));
    }
    for (const [key, f] of this.faults) {
      if (seen.has(key)) continue;
      this.faults.delete(key);
      this.raise(nowMs, 'info', 'hw_fault_cleared', `${f.part}: ${f.kind} cleared`, { fault: f.kind, part: f.part, board: f.board });
    }
    this.enqueue(nowMs, actions);
  }

  private chipEvent(nowMs: number, chain: number, chip: number, state: ChipHealthState, reason: string, detail: string): void {
    if (state === 'unknown') return;
    const kind = state === 'ok' ? 'chip_recovered' : `chip_${state}`;
    this.raise(nowMs, state === 'ok' ? 'info' : 'warning', kind, `chain ${chain} chip ${chip} ${state}${state === 'ok' ? '' : ` (${reason})`}: ${detail}`, { chain, chip, reason });
  }

  private enqueue(nowMs: number, actions: HealthAction[]): void {
    for (const a of actions) {
      this.actionsTaken.push(a);
      const act = this.policy.acting; // as decided: a mode change later does not turn advice into an action
      this.acting = this.acting.then(() => this.perform(nowMs, a, act));
    }
  }

  private async perform(nowMs: number, a: HealthAction, act: boolean): Promise<void> {
    const where = 'chip' in a ? `chain ${a.chain} chip ${a.chip}` : 'chain' in a ? `chain ${a.chain}` : `board ${a.board}`;
    const what = a.kind === 'lower_chip_freq' || a.kind === 'raise_chip_freq' ? `${a.kind} to ${a.toMHz === null ? 'its uncapped frequency' : `${a.toMHz} MHz`}` : a.kind;
    // Report mode advises instead of changing frequencies or re-initialising, but a board
    // powered off for a regulator fault or a dead chain is a safety action: always done.
    if (!act && a.kind !== 'power_off_board') {
      if (a.kind === 'reinit_chain') this.policy.reinitDone(a.chain);
      this.o.log.warn({ action: a }, 'health advice (actions: report)');
      this.raise(nowMs, 'warning', 'health_advice', `${where}: would ${what} (${a.reason}); not done: health.actions is "report"`, { action: a.kind, ...a, performed: false });
      return;
    }
    let outcome = 'done';
    try {
      if (a.kind === 'reinit_chain') {
        try {
          outcome = (await this.o.actions.reinitChain(a.chain)) ? 'chain back up' : 'chain did not come back';
        } finally {
          this.policy.reinitDone(a.chain);
        }
      }
      else if (a.kind === 'lower_chip_freq' || a.kind === 'raise_chip_freq') await this.o.actions.setChipFreq(a.chain, a.chip, a.toMHz);
      else if (a.kind === 'disable_chip') await this.o.actions.disableChip(a.chain, a.chip);
      else await this.o.actions.powerOffBoard(a.board, `health: ${a.reason}`);
    } catch (err) {
      outcome = `failed: ${(err as Error).message}`;
    }
    this.o.log.warn({ action: a, outcome }, 'health action');
    this.raise(nowMs, a.kind === 'power_off_board' ? 'critical' : a.kind === 'raise_chip_freq' ? 'info' : 'warning', 'health_action', `${where}: ${what} (${a.reason}): ${outcome}`, { action: a.kind, ...a, outcome });
  }

  private raise(atMs: number, severity: DaemonEvent['severity'], kind: string, message: string, data: Record<string, unknown>): void {
    this.o.raise({ at_ms: atMs, severity, source: 'health', kind, message, data });
  }
}
