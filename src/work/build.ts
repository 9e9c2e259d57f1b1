/**
 * Coinbase, merkle root and 80-byte header from a job (stratum.md §1.5). Pure.
 */
import { sha256d } from '../pow/sha256d';
import type { Job } from './job';

export function buildCoinbase(coinb1: Buffer, extranonce1: Buffer, extranonce2: Buffer, coinb2: Buffer): Buffer {
  return Buffer.concat([coinb1, extranonce1, extranonce2, coinb2]);
}

/** Raw (not reversed) merkle root: sha256d(coinbase), then sha256d(root || branch[i]). */
export function merkleRoot(coinbaseHash: Buffer, branch: readonly Buffer[]): Buffer {
  let root = coinbaseHash;
  for (const b of branch) root = sha256d(Buffer.concat([root, b]));
  return root;
}

/** Byte-reverse each 4-byte word, keep word order (pool prevhash <-> header prevhash). */
export function swapWords(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i + 4 <= b.length; i += 4) out.writeUInt32LE(b.readUInt32BE(i), i);
  return out;
}

/** The 80-byte header; nonce written little-endian. */
export function buildHeader(job: Pick<Job, 'version' | 'prevhash' | 'nbits'>, root: Buffer, ntime: number, nonce = 0): Buffer {
  const h = Buffer.alloc(80);
  h.writeUInt32LE(job.version >>> 0, 0);
  swapWords(job.prevhash).copy(h, 4);
  root.copy(h, 36);
  h.writeUInt32LE(ntime >>> 0, 68);
  h.writeUInt32LE(job.nbits >>> 0, 72);
  h.writeUInt32LE(nonce >>> 0, 76);
  return h;
}

export function setNonce(header: Buffer, nonce: number): Buffer {
  const h = Buffer.from(header);
  h.writeUInt32LE(nonce >>> 0, 76);
  return h;
}

/** Header for a job, extranonce2 and ntime (nonce 0). */
export function headerFor(job: Job, extranonce2: Buffer, ntime: number, extranonce1 = job.extranonce1): Buffer {
  if (job.merkleRoot) return buildHeader(job, job.merkleRoot, ntime); // header-only (SV2 standard channel)
  const cb = buildCoinbase(job.coinb1, extranonce1, extranonce2, job.coinb2);
  return buildHeader(job, merkleRoot(sha256d(cb), job.merkleBranch), ntime);
}
