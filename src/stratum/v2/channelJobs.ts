/**
 * Standard-channel job bookkeeping (spec §5.3.12-§5.3.16), pure: NewMiningJob (future when
 * min_ntime is empty), SetNewPrevHash (activates that future job; every other queued job becomes
 * invalid), SetTarget -> the protocol-independent `Job` the work builder takes. U256 values are
 * the header's own bytes (stratum.md §3.8), so prev_hash is stored word-swapped into the V1
 * `Job.prevhash` form that `buildHeader` swaps back; the merkle root is given (`Job.merkleRoot`).
 */
import type { Job } from '../../work/job';
import type { Fields } from './messages';

/** scrypt pool difficulty 1 = 0xffff << 224 (stratum.md §1.6). */
export const SCRYPT_DIFF1 = 0xffffn << 224n;
/**
 * Difficulty as a float is rounded: this margin keeps the local share target at or below the
 * pool's exact U256 target, so a share passing locally is never "difficulty-too-low" at the pool.
 */
const SAFETY = 1 + 2 ** -40;

export const leU256 = (b: Buffer): bigint => BigInt('0x' + (Buffer.from(b).reverse().toString('hex') || '0'));
export function u256Le(n: bigint): Buffer { return Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse(); }

/** Pool target (U256 LE) -> scrypt pool difficulty, or undefined when the target is 0. */
export function targetToDifficulty(target: Buffer, diff1 = SCRYPT_DIFF1): number | undefined {
  const t = leU256(target);
  if (t === 0n) return undefined;
  return (Number(diff1) / Number(t)) * SAFETY;
}

function swapWords(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  for (let i = 0; i + 4 <= b.length; i += 4) out.writeUInt32BE(b.readUInt32LE(i), i);
  return out;
}

interface PrevHash { jobId: number; prevHash: Buffer; minNtime: number; nbits: number }
type NewJob = Fields<'NewMiningJob'>;

export type ChannelUpdate = { kind: 'job'; job: Job } | { kind: 'ignored'; reason: string } | { kind: 'none' };

export class ChannelJobs {
  private future = new Map<number, NewJob>();
  private active = new Map<number, { job: Job; version: number }>();
  private prev: PrevHash | undefined;
  difficulty: number | undefined;
  constructor(readonly channelId: number, target: Buffer, readonly extranoncePrefix: Buffer) {
    this.difficulty = targetToDifficulty(target);
  }

  /** The job's version for a submit, by the `Job.jobId` string. */
  lookup(jobId: string): { jobId: number; version: number } | undefined {
    const a = this.active.get(Number(jobId));
    return a && String(Number(jobId)) === jobId ? { jobId: Number(jobId), version: a.version } : undefined;
  }

  newMiningJob(m: NewJob): ChannelUpdate {
    if (m.minNtime === null) {
      this.future.set(m.jobId, m);
      while (this.future.size > 16) this.future.delete(this.future.keys().next().value as number);
      return { kind: 'none' };
    }
    if (!this.prev) return { kind: 'ignored', reason: `NewMiningJob ${m.jobId} has min_ntime but no SetNewPrevHash came yet` };
    return { kind: 'job', job: this.activate(m, { ...this.prev, minNtime: Math.max(this.prev.minNtime, m.minNtime) }, false) };
  }

  setNewPrevHash(m: Fields<'SetNewPrevHash'>): ChannelUpdate {
    const f = this.future.get(m.jobId);
    this.prev = { jobId: m.jobId, prevHash: m.prevHash, minNtime: m.minNtime, nbits: m.nbits };
    this.active.clear();
    if (!f) { this.future.clear(); return { kind: 'ignored', reason: `SetNewPrevHash names job ${m.jobId}, which was never sent as a future job` }; }
    this.future.clear();
    return { kind: 'job', job: this.activate(f, this.prev, true) };
  }

  /** A new target applies at once (spec §5.3.18): the current job again at the new difficulty. */
  setTarget(target: Buffer): ChannelUpdate {
    const d = targetToDifficulty(target);
    if (d === undefined) return { kind: 'ignored', reason: 'SetTarget with a zero target' };
    this.difficulty = d;
    const last = [...this.active.values()].pop();
    if (!last) return { kind: 'none' };
    const job = { ...last.job, difficulty: d, cleanJobs: false };
    this.active.set(Number(job.jobId), { job, version: last.version });
    return { kind: 'job', job };
  }

  private activate(m: NewJob, p: PrevHash, clean: boolean): Job {
    const job: Job = {
      jobId: String(m.jobId), prevhash: swapWords(p.prevHash), coinb1: Buffer.alloc(0), coinb2: Buffer.alloc(0), merkleBranch: [],
      version: m.version, nbits: p.nbits, ntime: p.minNtime, cleanJobs: clean, difficulty: this.difficulty ?? 1,
      extranonce1: this.extranoncePrefix, extranonce2Size: 4, merkleRoot: m.merkleRoot,
    };
    this.active.set(m.jobId, { job, version: m.version });
    while (this.active.size > 16) this.active.delete(this.active.keys().next().value as number);
    return job;
  }
}
