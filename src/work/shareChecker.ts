/**
 * Decides what a nonce returned for a work item is: stale, duplicate, share, ticket (hashrate
 * only) or invalid (hardware error). Hashing goes through the injected PowAlgorithm.
 */
import type { PowAlgorithm } from '../pow/types';
import { TargetBytes, difficultyToTarget, hashDifficulty, leq256 } from '../pow/targets';
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
  /**
   * Per job id, the difficulty of its latest notify. Vardiff pools re-send the same job id after
   * set_difficulty and judge every later share of that id by the new difficulty (the test pool
   * and ckpool do), so a nonce found on work built under a lower difficulty is submitted only if
   * it meets the newer one; otherwise it counts as a ticket (hashrate) instead of a certain reject.
   */
  private readonly latestDiff = new Map<string, number>();

  constructor(private readonly pow: PowAlgorithm) {}

  /** Register a new job; clean_jobs invalidates every earlier one. */
  onJob(job: WorkItem['job']): void {
    if (job.cleanJobs) {
      for (const j of this.live) this.cleaned.add(j);
      this.live.clear();
      this.order.length = 0;
      this.seen.clear();
      this.latestDiff.clear();
    }
    this.latestDiff.delete(job.jobId); // re-insert: newest last, so pruning drops the oldest ids
    this.latestDiff.set(job.jobId, job.difficulty);
    while (this.latestDiff.size > 64) this.latestDiff.delete(this.latestDiff.keys().next().value as string);
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
    this.latestDiff.clear();
  }

  async check(item: WorkItem, nonce: number, ticketTarget: bigint): Promise<NonceVerdict> {
    const early = this.precheck(item, nonce);
    if (early) return early;
    return this.classify(item, nonce, await this.pow.hash(setNonce(item.header, nonce)), ticketTarget);
  }

  private readonly targetBytes = new TargetBytes();

  /**
   * The same decision for a nonce whose hash the caller already computed (the miner verifies
   * every nonce once, in batches, and must not pay for a second scrypt here). Pure and sync.
   * `nonce` is the header's nonce field as a little-endian u32 (what mining.submit encodes).
   */
  classify(item: WorkItem, nonce: number, hash: Buffer, ticketTarget: bigint): NonceVerdict {
    // Stale and duplicate are verdicts on shares: a nonce below the share target from an old
    // job is still work the chip did (a ticket for hashrate), not a lost share.
    const latest = this.latestDiff.get(item.job.jobId) ?? item.difficulty;
    const difficulty = Math.max(item.difficulty, latest);
    const shareTarget = difficulty === item.difficulty ? item.shareTarget : difficultyToTarget(difficulty, this.pow.diff1Target);
    if (leq256(hash, this.targetBytes.of(shareTarget))) {
      const early = this.precheck(item, nonce);
      if (early) return early;
      this.seen.add(this.key(item, nonce));
      return {
        kind: 'share', hash,
        share: {
          workId: item.id, jobId: item.jobId, extranonce2: item.extranonce2.toString('hex'), ntime: u32Hex(item.ntime),
          nonce: u32Hex(nonce), difficulty, hashDifficulty: hashDifficulty(hash, this.pow.diff1Target),
        },
      };
    }
    if (leq256(hash, this.targetBytes.of(ticketTarget))) {
      // Hundreds of tickets a second and the miner never reads their difficulty: computed on demand.
      const diff1 = this.pow.diff1Target;
      return {
        kind: 'ticket',
        hash,
        get difficulty() {
          return hashDifficulty(hash, diff1);
        },
      };
    }
    return { kind: 'invalid', hash };
  }

  private key(item: WorkItem, nonce: number): string {
    // Header-only work (SV2 standard channel): extranonce2 is not in the header, so two chains
    // finding the same (ntime, nonce) found the same share.
    const en2 = item.job.merkleRoot ? '-' : item.extranonce2.toString('hex');
    return `${item.job.jobId}/${en2}/${item.ntime}/${nonce >>> 0}`;
  }

  private precheck(item: WorkItem, nonce: number): NonceVerdict | undefined {
    if (!this.live.has(item.job)) {
      return { kind: 'stale', reason: this.cleaned.has(item.job) ? 'clean_jobs' : this.superseded.has(item.job) ? 'superseded' : 'unknown_work' };
    }
    if (this.seen.has(this.key(item, nonce))) return { kind: 'duplicate' };
    return undefined;
  }
}
