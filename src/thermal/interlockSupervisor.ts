/**
 * Keeps the interlock worker thread (InterlockThread) running for the daemon: starts it, relays
 * its trips, tracks its health (`running`, `failed` with a reason), restarts it with backoff
 * when it dies or cannot connect, and keeps its inputs current (limits, which boards are
 * powered). The main thread's interlock (ThermalController) runs regardless of this one.
 */
import type { Logger } from 'pino';
import { TypedEmitter } from '../core/events';
import type { InterlockWorkerState } from '../core/minerApi';
import type { Clock, TimerHandle } from '../hal/types';
import type { InterlockLimits, Trip } from './interlockRules';
import { InterlockThread } from './interlockThread';
import type { InterlockWorkerData } from './interlockWorker';

export type { InterlockWorkerState };

/** Where the worker reaches the hardware, or why it cannot. */
export type InterlockWorkerTarget = { hal: string } | { unavailable: string };

/**
 * The worker needs its own connection to the boards' hardware; the boards backend (boards/) says
 * where it is (`HashBoards.interlockWorker`): only a remote hal can be opened a second time from
 * another thread today.
 */

/** Delay before restart attempt `attempt` (0-based): base doubling to max. */
export function workerRetryDelayMs(attempt: number, baseMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}

export interface InterlockSupervisorEvents {
  trip: Trip & { atWallMs: number };
  state: { state: InterlockWorkerState; reason: string; atMs: number };
}

export interface InterlockSupervisorOptions {
  clock: Clock;
  log: Logger;
  /** Everything the worker needs but limits and power state, which change at run time. */
  worker: Omit<InterlockWorkerData, 'limits' | 'powered'>;
  limits: InterlockLimits;
  /** Which boards are powered now (read at each worker start). */
  powered: () => boolean[];
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export class InterlockSupervisor {
  readonly events = new TypedEmitter<InterlockSupervisorEvents>();
  private thread?: InterlockThread;
  private retry?: TimerHandle;
  private attempts = 0;
  private stopped = false;
  private limits: InterlockLimits;
  state: InterlockWorkerState = 'starting';
  reason = 'starting the worker thread';
  /** Worker starts after the first (restarts after a death or a failed start). */
  restarts = 0;

  constructor(private readonly o: InterlockSupervisorOptions) {
    this.limits = o.limits;
  }

  /** Starts the worker in the background; failures are retried with backoff, never thrown. */
  start(): void {
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    this.retry = undefined;
    if (this.stopped) return;
    let t: InterlockThread;
    try {
      t = await InterlockThread.start({ ...this.o.worker, limits: this.limits, powered: this.o.powered() });
    } catch (err) {
      this.failed(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (this.stopped) {
      await t.stop();
      return;
    }
    this.thread = t;
    this.attempts = 0;
    t.events.on('trip', (trip) => this.events.emit('trip', trip), this);
    t.events.on('hal', (h) => {
      if (h.state === 'down') this.set('failed', `hardware link lost (${h.reason}); the worker reconnects`, 'error');
      else this.set('running', `hardware link back: ${h.reason}`, 'info');
    }, this);
    t.events.on('exit', (e) => {
      if (this.thread === t) this.thread = undefined;
      if (!e.expected) this.failed(`worker thread ended: ${e.message}`);
    }, this);
    // The limits or power state may have changed while it was starting.
    t.setLimits(this.limits);
    t.setPowered(this.o.powered());
    this.set('running', `watching ${this.o.worker.boards} boards every ${this.o.worker.tickMs} ms through ${this.o.worker.hal}`, 'info');
  }

  private failed(reason: string): void {
    if (this.stopped) return;
    const delayMs = workerRetryDelayMs(this.attempts++, this.o.retryBaseMs, this.o.retryMaxMs);
    this.restarts++;
    this.set('failed', `${reason}; retrying in ${delayMs} ms`, 'error');
    this.retry = this.o.clock.setTimeout(() => void this.attempt(), delayMs);
  }

  private set(state: InterlockWorkerState, reason: string, level: 'info' | 'error'): void {
    if (this.stopped) return;
    this.state = state;
    this.reason = reason;
    this.o.log[level]({ worker: state, reason }, `interlock worker ${state}`);
    this.events.emit('state', { state, reason, atMs: this.o.clock.now() });
  }

  release(board: number): void {
    this.thread?.release(board);
  }

  setLimits(limits: InterlockLimits): void {
    this.limits = limits;
    this.thread?.setLimits(limits);
  }

  setPowered(powered: boolean[]): void {
    this.thread?.setPowered(powered);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.cancel();
    this.retry = undefined;
    const t = this.thread;
    this.thread = undefined;
    this.state = 'stopped';
    this.reason = 'daemon stopping';
    await t?.stop();
  }
}
