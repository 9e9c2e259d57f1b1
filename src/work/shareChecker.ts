/**
 * Decides what a nonce returned for a work item is: stale, duplicate, share, ticket (hashrate
 * only) or invalid (hardware error). Hashing goes through the injected PowAlgorithm.
 */
import type { PowAlgorithm } from '../pow/types';
import { hashDifficulty, hashToBigInt } from '../pow/targets';
import { setNonce } from './build';
import { u32Hex } from './job';
import type { Share, WorkItem } from './workItem';

export type NonceVerdict =
  | { kind: 'stale'; reason: 'clean_jobs' | 'superseded' | 'unknown_work' }
  | { kind: 'duplicate' }
  | { kind: 'share'; share: Share; hash: Buffer }
  | { kind: 'ticket'; hash: Buffer; difficulty: number }
  | { kind: 'invalid'; hash: Buffer };

/** How many superseded (non-clean) jobs stay valid for submission. */
const KEEP_JOBS = 8;

export class ShareChecker {
  private readonly live = new Set<object>(); // Job objects still valid
  private readonly order: object[] = [];
  private readonly seen = new Set<string>();
  private readonly superseded = new WeakSet<object>();
  private readonly cleaned = new WeakSet<object>();

  constructor(private readonly pow: PowAlgorithm) {}

  /** Register a new job; clean_jobs invalidates every earlier one. */
  onJob(job: WorkItem['job']): void {
    if (job.cleanJobs) {
      for (const j of this.live) this.cleaned.add(j);
      this.live.clear();
      this.order.length = 0;
      this.seen.clear();
    }
    this.live.add(job);
    this.order.push(job);
    while (this.order.length > KEEP_JOBS) {
      const old = this.order.shift()!;
      this.live.delete(old);
      this.superseded.add(old);
    }
  }

  /** Invalidate everything (reconnect, new extranonce1). */
  reset(): void {
    for (const j of this.live) this.cleaned.add(j);
    this.live.clear();
    this.order.length = 0;
    this.seen.clear();
  }

  async check(item: WorkItem, nonce: number, ticketTarget: bigint): Promise<NonceVerdict> {
    const early = this.precheck(item, nonce);
    if (early) return early;
    return this.classify(item, nonce, await this.pow.hash(setNonce(item.header, nonce)), ticketTarget);
  }

  /**
   * The same decision for a nonce whose hash the caller already computed (the miner verifies
   * every nonce once, in batches, and must not pay for a second scrypt here). Pure and sync.
   * `nonce` is the header's nonce field as a little-endian u32 (what mining.submit encodes).
   */
  classify(item: WorkItem, nonce: number, hash: Buffer, ticketTarget: bigint): NonceVerdict {
    const early = this.precheck(item, nonce);
    if (early) return early;
    const h = hashToBigInt(hash);
    if (h <= item.shareTarget) {
      this.seen.add(this.key(item, nonce));
      return {
        kind: 'share', hash,
        share: {
          workId: item.id, jobId: item.jobId, extranonce2: item.extranonce2.toString('hex'), ntime: u32Hex(item.ntime),
          nonce: u32Hex(nonce), difficulty: item.difficulty, hashDifficulty: hashDifficulty(hash, this.pow.diff1Target),
        },
      };
    }
    if (h <= ticketTarget) return { kind: 'ticket', hash, difficulty: hashDifficulty(hash, this.pow.diff1Target) };
    return { kind: 'invalid', hash };
  }

  private key(item: WorkItem, nonce: number): string {
    return `${item.job.jobId}/${item.extranonce2.toString('hex')}/${item.ntime}/${nonce >>> 0}`;
  }

  private precheck(item: WorkItem, nonce: number): NonceVerdict | undefined {
    if (!this.live.has(item.job)) {
      return { kind: 'stale', reason: this.cleaned.has(item.job) ? 'clean_jobs' : this.superseded.has(item.job) ? 'superseded' : 'unknown_work' };
    }
    if (this.seen.has(this.key(item, nonce))) return { kind: 'duplicate' };
    return undefined;
  }
}
