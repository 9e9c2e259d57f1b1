import { performance } from 'node:perf_hooks';
import type { PrehashedNonce } from '../types';

/** Bytes per record from native/src/uart_reader.cc: u32 nonce, u32 wire job, u32 gen, u32 flags, hash[32], f64 age (ms). */
export const PREHASH_RECORD_BYTES = 56;

/** Decodes the reader thread's records; `age` (ms since read) becomes a performance.now() time. */
export function decodePrehashRecords(buf: Buffer, now = performance.now()): PrehashedNonce[] {
  const out: PrehashedNonce[] = [];
  for (let o = 0; o + PREHASH_RECORD_BYTES <= buf.length; o += PREHASH_RECORD_BYTES) {
    out.push({
      nonce: buf.readUInt32LE(o),
      wireJobId: buf.readUInt32LE(o + 4),
      gen: buf.readUInt32LE(o + 8),
      urgent: (buf.readUInt32LE(o + 12) & 1) !== 0,
      hash: buf.subarray(o + 16, o + 48),
      readAt: now - buf.readDoubleLE(o + 48),
    });
  }
  return out;
}
