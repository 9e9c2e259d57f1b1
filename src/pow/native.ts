import { availableParallelism } from 'node:os';
import { loadAddon, type KabosuAddon } from '../native/load';
import type { ScryptBackend } from './algorithms';

/**
 * The native scrypt backend: batches go to the addon, which computes them in SIMD lanes on the
 * libuv thread pool (never on the event loop). A large batch is split into one chunk per core;
 * a small one stays whole, and a lone header runs on the scalar kernel at once.
 */
export function nativeScryptBackend(addon: KabosuAddon = loadAddon(), path?: string): ScryptBackend {
  const threads = Math.max(1, availableParallelism());
  const widest = addon.paths()[0];
  const name = `native:${path ?? widest.name}`;
  return {
    name,
    async scryptMany(headers) {
      if (headers.length === 0) return [];
      const all = Buffer.concat(headers.map((h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength)));
      const perChunk = Math.max(widest.lanes, Math.ceil(headers.length / threads / widest.lanes) * widest.lanes);
      const chunks: Promise<Buffer>[] = [];
      for (let i = 0; i < headers.length; i += perChunk) {
        const n = Math.min(perChunk, headers.length - i);
        chunks.push(addon.scryptBatch(all.subarray(i * 80, (i + n) * 80), path));
      }
      const outs = await Promise.all(chunks);
      const result: Buffer[] = [];
      for (const o of outs) for (let j = 0; j < o.length; j += 32) result.push(o.subarray(j, j + 32));
      return result;
    },
  };
}
