import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadAddon, type KabosuAddon } from '../native/load';
import type { ScryptBackend } from './algorithms';

export interface NativeBackendOptions {
  /**
   * A batch whose estimated cost is at most this many milliseconds is hashed inline on the
   * calling thread instead of the libuv pool (default 0.5; 0 = never). Handing one hash to a
   * pool thread and back costs two thread wake-ups and ~30 us of event-loop time, more than a
   * one-lane hash saves on a fast core (~0.16 ms on x86-64 with the in-block SIMD kernel);
   * on a slow controller core (several ms per hash) the estimate keeps everything on the pool,
   * so the event loop is never blocked for longer than this budget.
   */
  inlineBudgetMs?: number;
}

/**
 * The native scrypt backend: batches go to the addon, which computes them in SIMD lanes on the
 * libuv thread pool. At most `cores - 1` native batches run at once (one on a single core), so
 * on a small controller a core is left to the event loop; further batches wait in a FIFO queue.
 * A large batch is split into one chunk per allowed thread; a small one stays whole, and a
 * lone header runs on the one-hash kernel at once. Batches cheap enough (see
 * `inlineBudgetMs`) are hashed inline: the per-hash cost is measured on every inline call
 * (an exponentially weighted mean, seeded by one timed hash at creation).
 */
export function nativeScryptBackend(addon: KabosuAddon = loadAddon(), path?: string, maxConcurrent?: number, o: NativeBackendOptions = {}): ScryptBackend {
  const threads = Math.max(1, maxConcurrent ?? availableParallelism() - 1);
  const widest = addon.paths()[0];
  const name = `native:${path ?? widest.name}`;
  const budgetMs = o.inlineBudgetMs ?? 0.5;
  // Budget 0 means never block the caller, not even for this timing (then the cost is unknown).
  const measured = budgetMs > 0 ? timeOneHash(addon, path) : undefined;
  const calibrated = measured ?? Infinity;
  let msPerHash = calibrated;
  let skipped = 0;
  let running = 0;
  const waiting: (() => void)[] = [];
  const run = async (buf: Buffer): Promise<Buffer> => {
    if (running >= threads) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await addon.scryptBatch(buf, path);
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
  const split = (o: Buffer): Buffer[] => {
    const result: Buffer[] = [];
    for (let j = 0; j < o.length; j += 32) result.push(o.subarray(j, j + 32));
    return result;
  };
  return {
    name,
    msPerHash: measured,
    async scryptMany(headers) {
      if (headers.length === 0) return [];
      const all = headers.length === 1 ? Buffer.from(headers[0].buffer, headers[0].byteOffset, headers[0].byteLength) : Buffer.concat(headers.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)));
      // A preempted call can look slow: one sample moves the estimate by at most 10%, and
      // when the estimate has drifted over the budget a small batch is re-tried inline once
      // in 256 (only where the calibration said inline fits).
      const fits = headers.length * msPerHash <= budgetMs || (headers.length * calibrated <= budgetMs && ++skipped % 256 === 0);
      if (fits) {
        const t0 = performance.now();
        const out = addon.scryptSync(all, path);
        const sample = (performance.now() - t0) / headers.length;
        msPerHash = 0.9 * msPerHash + 0.1 * Math.min(sample, 2 * msPerHash);
        return split(out);
      }
      const perChunk = Math.max(widest.lanes, Math.ceil(headers.length / threads / widest.lanes) * widest.lanes);
      const chunks: Promise<Buffer>[] = [];
      for (let i = 0; i < headers.length; i += perChunk) {
        const n = Math.min(perChunk, headers.length - i);
        chunks.push(run(all.subarray(i * 80, (i + n) * 80)));
      }
      const outs = await Promise.all(chunks);
      return outs.flatMap(split);
    },
  };
}

/** Milliseconds one lone hash takes here (the better of three, so a cold cache does not count). */
function timeOneHash(addon: KabosuAddon, path?: string): number {
  const h = Buffer.alloc(80);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    h.writeUInt32LE(i, 76);
    const t0 = performance.now();
    addon.scryptSync(h, path);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
