/** Starts the interlock worker thread (interlockWorker.ts) and relays its reports as events. */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TypedEmitter } from '../core/events';
import type { InterlockLimits, Trip } from './interlockRules';
import type { InterlockWorkerData, InterlockWorkerMessage, InterlockWorkerReport } from './interlockWorker';
import { BUNDLED_INTERLOCK_WORKER } from './interlockWorkerCode';

export interface InterlockThreadEvents {
  trip: Trip & { atWallMs: number };
  /** The worker's hardware link dropped ('down', trips on stale readings follow) or came back. */
  hal: { state: 'down' | 'up'; reason: string };
  /** A fatal error reported by the worker (it exits after it). */
  error: { message: string };
  /** The thread ended; `expected` when stop() asked for it. */
  exit: { code: number; expected: boolean; message: string };
}

/**
 * The worker's code: the bundle carries it as a string (tools/build/bundle.mjs); from source the
 * worker loads the TypeScript through tsx like the main thread does.
 */
export function interlockWorkerSource(): string {
  if (BUNDLED_INTERLOCK_WORKER !== null) return BUNDLED_INTERLOCK_WORKER;
  // A path, not require.resolve: the bundle never takes this branch and esbuild would warn.
  return `require('tsx/cjs'); require(${JSON.stringify(join(__dirname, 'interlockWorker'))});`;
}

/**
 * A bounded heap (its live data is a few hundred kB): a leak ends the worker with
 * ERR_WORKER_OUT_OF_MEMORY, which the supervisor reports and restarts, instead of growing the
 * process. Measured: the thread costs ~13.5 MB RSS with these limits, ~15 MB without (a V8
 * isolate and a Node environment, whatever the worker does).
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1, stackSizeMb: 1 };

export class InterlockThread {
  readonly events = new TypedEmitter<InterlockThreadEvents>();
  private stopping = false;
  private exited = false;
  private lastError = '';

  private constructor(private readonly worker: Worker) {}

  /** Resolves once the worker is connected to the hardware and ticking; rejects if it ends first. */
  static start(d: InterlockWorkerData): Promise<InterlockThread> {
    const w = new Worker(interlockWorkerSource(), { eval: true, workerData: { ...d, kabosuInterlock: true }, resourceLimits: WORKER_LIMITS });
    const t = new InterlockThread(w);
    return new Promise((resolve, reject) => {
      let ready = false;
      w.on('message', (m: InterlockWorkerReport) => {
        if ('ready' in m) { ready = true; resolve(t); }
        if ('trip' in m) t.events.emit('trip', m.trip);
        if ('hal' in m) t.events.emit('hal', { state: m.hal, reason: m.reason });
        if ('error' in m) { t.lastError = m.error; t.events.emit('error', { message: m.error }); }
      });
      w.on('error', (err) => { t.lastError = err.message; });
      w.once('exit', (code) => {
        t.exited = true;
        const message = t.lastError || `worker exited with code ${code}`;
        if (!ready) reject(new Error(message));
        else t.events.emit('exit', { code, expected: t.stopping, message });
      });
    });
  }

  private send(m: InterlockWorkerMessage): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  /** The main thread re-initialised the board: the worker judges it again. */
  release(board: number): void {
    this.send({ release: board });
  }

  setLimits(limits: InterlockLimits): void {
    this.send({ limits });
  }

  /** Which boards are powered (an unpowered board is not judged). */
  setPowered(powered: boolean[]): void {
    this.send({ powered });
  }

  /** Asks the worker to close its hal link and end; terminates it after `graceMs`. */
  async stop(graceMs = 500): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    const gone = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.send({ stop: true });
    const t = setTimeout(() => void this.worker.terminate(), graceMs);
    await gone;
    clearTimeout(t);
  }
}
