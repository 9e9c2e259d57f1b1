/**
 * A Stratum V1 job (from mining.notify) and its strict parser. Pure; no I/O.
 * Byte-order rules: /work/shared/reference/stratum.md §1.3, §1.5.
 */
import { ProtocolError } from '../core/errors';

export interface Job {
  jobId: string;
  /** prevhash exactly as the pool sent it (each 4-byte word byte-reversed vs. the header). */
  prevhash: Buffer;
  coinb1: Buffer;
  coinb2: Buffer;
  merkleBranch: Buffer[];
  /** Integers as the pool sends them (big-endian hex of the integer). */
  version: number;
  nbits: number;
  ntime: number;
  cleanJobs: boolean;
  /** Pool difficulty in force for this job (set_difficulty applies to the next notify). */
  difficulty: number;
  /** Session extranonce in force when the job arrived. */
  extranonce1: Buffer;
  extranonce2Size: number;
  /**
   * Header-only work (Stratum V2 standard channel): the pool gives the merkle root itself, so
   * coinb1/coinb2/branch are empty and extranonce2 does not change the header.
   */
  merkleRoot?: Buffer;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const MAX_COINB = 100_000; // bytes; a coinbase is at most 100 kB in practice

function bad(msg: string): never {
  throw new ProtocolError('KBS_E_STRATUM_BAD_NOTIFY', `mining.notify: ${msg}`);
}

export function hexBytes(v: unknown, what: string, len?: number, max = MAX_COINB): Buffer {
  if (typeof v !== 'string' || !HEX.test(v)) bad(`${what} is not an even-length hex string`);
  const b = Buffer.from(v as string, 'hex');
  if (len !== undefined && b.length !== len) bad(`${what} must be ${len} bytes, got ${b.length}`);
  if (b.length > max) bad(`${what} longer than ${max} bytes`);
  return b;
}

export function hexU32(v: unknown, what: string): number {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{8}$/.test(v)) bad(`${what} must be 8 hex digits`);
  return parseInt(v as string, 16) >>> 0;
}

export function u32Hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** Parse mining.notify params; throws ProtocolError (never anything else) on bad input. */
export function parseNotify(
  params: unknown,
  ctx: { difficulty: number; extranonce1: Buffer; extranonce2Size: number },
): Job {
  if (!Array.isArray(params) || params.length < 9) bad('params must be an array of 9');
  const p = params as unknown[];
  if (typeof p[0] !== 'string' || p[0].length === 0 || p[0].length > 128) bad('job_id must be a non-empty string');
  if (!Array.isArray(p[4]) || p[4].length > 64) bad('merkle_branch must be an array of at most 64');
  if (typeof p[8] !== 'boolean') bad('clean_jobs must be a boolean');
  return {
    jobId: p[0] as string,
    prevhash: hexBytes(p[1], 'prevhash', 32),
    coinb1: hexBytes(p[2], 'coinb1'),
    coinb2: hexBytes(p[3], 'coinb2'),
    merkleBranch: (p[4] as unknown[]).map((b, i) => hexBytes(b, `merkle_branch[${i}]`, 32)),
    version: hexU32(p[5], 'version'),
    nbits: hexU32(p[6], 'nbits'),
    ntime: hexU32(p[7], 'ntime'),
    cleanJobs: p[8] as boolean,
    difficulty: ctx.difficulty,
    extranonce1: ctx.extranonce1,
    extranonce2Size: ctx.extranonce2Size,
  };
}

/** The notify params a pool sends for a job (inverse of parseNotify). */
export function notifyParams(j: Omit<Job, 'difficulty' | 'extranonce1' | 'extranonce2Size'>): unknown[] {
  return [
    j.jobId, j.prevhash.toString('hex'), j.coinb1.toString('hex'), j.coinb2.toString('hex'),
    j.merkleBranch.map((b) => b.toString('hex')), u32Hex(j.version), u32Hex(j.nbits), u32Hex(j.ntime), j.cleanJobs,
  ];
}
