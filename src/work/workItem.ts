/**
 * Work items from jobs: extranonce2 rolling (one disjoint space per chain), ntime rolling within
 * the pool's window, share target from difficulty. Pure; the caller passes `nowSec`.
 */
import { ProtocolError } from '../core/errors';
import { SCRYPT_DIFF1_TARGET, difficultyToTarget } from '../pow/targets';
import { headerFor } from './build';
import type { Job } from './job';

export interface WorkItem {
  id: number;
  jobId: string;
  job: Job;
  chain: number;
  extranonce2: Buffer;
  ntime: number;
  /** 80 bytes, nonce 0. */
  header: Buffer;
  shareTarget: bigint;
  difficulty: number;
}

export interface Share {
  workId: number;
  jobId: string;
  extranonce2: string; // hex
  ntime: string; // 8 hex
  nonce: string; // 8 hex, big-endian of the integer
  difficulty: number;
  /** achieved share difficulty */
  hashDifficulty: number;
}

/** scrypt pool difficulty -> target (diff 1 = 0xffff << 224, stratum.md §1.6). */
export function shareTargetFor(difficulty: number, diff1: bigint = SCRYPT_DIFF1_TARGET): bigint {
  return difficultyToTarget(difficulty, diff1);
}

/** Max seconds ntime may run ahead of the job's ntime (pools allow up to 7200; we stay well inside). */
export const NTIME_ROLL_MAX = 600;

/** ntime to use now: the job's ntime advanced by elapsed seconds, capped at NTIME_ROLL_MAX. */
export function rollNtime(job: Job, receivedAtSec: number, nowSec: number): number {
  const elapsed = Math.max(0, Math.floor(nowSec - receivedAtSec));
  return (job.ntime + Math.min(elapsed, NTIME_ROLL_MAX)) >>> 0;
}

/**
 * Per-chain extranonce2 counters: chain c of n uses counter values c, c+n, c+2n ... so chains
 * never collide. Encoded little-endian in extranonce2Size bytes (the pool only needs the same bytes back).
 */
export class Extranonce2Roller {
  private readonly next: number[];
  constructor(readonly chains: number, readonly size: number) {
    if (!Number.isInteger(chains) || chains < 1 || chains > 256) throw new RangeError('chains must be 1..256');
    if (!Number.isInteger(size) || size < 1 || size > 16) {
      throw new ProtocolError('KBS_E_WORK_EXTRANONCE2_SIZE', `extranonce2_size ${size} outside 1..16`);
    }
    this.next = Array.from({ length: chains }, (_, c) => c);
  }
  /** Next extranonce2 for `chain`; throws when the space is exhausted (needs a new job). */
  take(chain: number): Buffer {
    if (!Number.isInteger(chain) || chain < 0 || chain >= this.chains) throw new RangeError(`no chain ${chain}`);
    const v = this.next[chain];
    const bits = Math.min(this.size * 8, 48);
    if (v >= 2 ** bits) throw new ProtocolError('KBS_E_WORK_EXTRANONCE2_EXHAUSTED', `extranonce2 space exhausted for chain ${chain}`);
    this.next[chain] = v + this.chains;
    const b = Buffer.alloc(this.size);
    b.writeUIntLE(v % 2 ** Math.min(bits, 48), 0, Math.min(this.size, 6));
    return b;
  }
}

/** Builds WorkItems for the current job; one per (job, chain, extranonce2). */
export class WorkBuilder {
  private nextId = 1;
  private roller: Extranonce2Roller;
  private job: Job | undefined;
  private jobAtSec = 0;
  constructor(readonly chains: number, private readonly diff1: bigint = SCRYPT_DIFF1_TARGET) {
    this.roller = new Extranonce2Roller(chains, 4);
  }
  setJob(job: Job, receivedAtSec: number): void {
    const sizeChanged = !this.job || this.job.extranonce2Size !== job.extranonce2Size
      || !this.job.extranonce1.equals(job.extranonce1);
    this.job = job;
    this.jobAtSec = receivedAtSec;
    // New extranonce1 or size: restart the spaces; same session: keep rolling (never reuse en2).
    if (sizeChanged) this.roller = new Extranonce2Roller(this.chains, job.extranonce2Size);
  }
  currentJob(): Job | undefined {
    return this.job;
  }
  next(chain: number, nowSec: number): WorkItem | undefined {
    const job = this.job;
    if (!job) return undefined;
    const en2 = this.roller.take(chain);
    const ntime = rollNtime(job, this.jobAtSec, nowSec);
    return {
      id: this.nextId++, jobId: job.jobId, job, chain, extranonce2: en2, ntime,
      header: headerFor(job, en2, ntime), shareTarget: shareTargetFor(job.difficulty, this.diff1), difficulty: job.difficulty,
    };
  }
}
