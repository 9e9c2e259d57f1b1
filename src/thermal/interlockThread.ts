/** Starts the interlock worker thread (interlockWorker.ts) and relays its trips as events. */
import { Worker } from 'node:worker_threads';
import { TypedEmitter } from '../core/events';
import type { Trip } from './interlockRules';
import type { InterlockWorkerData } from './interlockWorker';

export interface InterlockThreadEvents {
  trip: Trip & { atWallMs: number };
  error: { message: string };
}

export class InterlockThread {
  readonly events = new TypedEmitter<InterlockThreadEvents>();
  private constructor(private readonly worker: Worker) {}

  /** Resolves once the worker is connected to the hardware and ticking. */
  static start(d: InterlockWorkerData): Promise<InterlockThread> {
    // The worker loads the TypeScript source through tsx like the main thread does.
    const w = new Worker(`require('tsx/cjs'); require(${JSON.stringify(require.resolve('./interlockWorker'))});`, { eval: true, workerData: { ...d, kabosuInterlock: true } });
    const t = new InterlockThread(w);
    return new Promise((resolve, reject) => {
      w.on('message', (m: { ready?: boolean; trip?: Trip & { atWallMs: number }; error?: string }) => {
        if (m.ready) resolve(t);
        if (m.trip) t.events.emit('trip', m.trip);
        if (m.error) { t.events.emit('error', { message: m.error }); reject(new Error(m.error)); }
      });
      w.once('error', reject);
    });
  }

  release(board: number): void {
    this.worker.postMessage({ release: board });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
