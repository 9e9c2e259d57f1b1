import { availableParallelism } from 'node:os';
import { loadAddon, type KabosuAddon } from '../native/load';
import type { ScryptBackend } from './algorithms';

/**
 * The native scrypt backend: batches go to the addon, which computes them in SIMD lanes on the
 * libuv thread pool (never on the event loop). At most `cores - 1` native batches run at once
 * (one on a single core), so on a small controller a core is left to the event loop; further
 * batches wait in a FIFO queue. A large batch is split into one chunk per allowed thread; a
 * small one stays whole, and a lone header runs on the scalar kernel at once.
 */
export function nativeScryptBackend(addon: KabosuAddon = loadAddon(), path?: string, maxConcurrent?: number): ScryptBackend {
  const threads = Math.max(1, maxConcurrent ?? availableParallelism() - 1);
  const widest = addon.paths()[0];
  const name = `native:${path ?? widest.name}`;
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
  return {
    name,
    async scryptMany(headers) {
      if (headers.length === 0) return [];
      const all = Buffer.concat(headers.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)));
      const perChunk = Math.max(widest.lanes, Math.ceil(headers.length / threads / widest.lanes) * widest.lanes);
      const chunks: Promise<Buffer>[] = [];
      for (let i = 0; i < headers.length; i += perChunk) {
        const n = Math.min(perChunk, headers.length - i);
        chunks.push(run(all.subarray(i * 80, (i + n) * 80)));
      }
      const outs = await Promise.all(chunks);
      const result: Buffer[] = [];
      for (const o of outs) for (let j = 0; j < o.length; j += 32) result.push(o.subarray(j, j + 32));
      return result;
    },
  };
}
