/**
 * A synthetic chain for the test pool: prevhash chain, coinbase with a BIP34 height, a few fake
 * transactions giving a real merkle branch. Pure (seeded); the server drives it on a Clock.
 */
import { createHash } from 'node:crypto';
import { sha256d } from '../pow/sha256d';
import type { Job } from '../work/job';

export type PoolJob = Omit<Job, 'difficulty' | 'extranonce1' | 'extranonce2Size'> & { height: number; createdAt: number };

const TAG = Buffer.from('/kabosu-test/');

function h(s: string): Buffer { return createHash('sha256').update(s).digest(); }

/** Merkle branch for the coinbase at index 0 over txids (raw order). */
export function coinbaseBranch(txids: Buffer[]): Buffer[] {
  const branch: Buffer[] = [];
  let level: (Buffer | null)[] = [null, ...txids];
  while (level.length > 1) {
    branch.push(level[1] ?? level[0]!);
    const next: (Buffer | null)[] = [null];
    for (let i = 2; i < level.length; i += 2) {
      const a = level[i]!; const b = level[i + 1] ?? a;
      next.push(sha256d(Buffer.concat([a, b])));
    }
    level = next;
  }
  return branch;
}

function pushHeight(height: number): Buffer {
  const b: number[] = [];
  let v = height;
  while (v > 0) { b.push(v & 0xff); v = Math.floor(v / 256); }
  if (b.length === 0 || (b[b.length - 1] & 0x80)) b.push(0);
  return Buffer.from([b.length, ...b]);
}

export class SyntheticChain {
  height = 1;
  prevhash: Buffer; // header byte order
  private jobSeq = 0;
  private txids: Buffer[] = [];
  constructor(private readonly seed = 'kabosu', readonly nbits = 0x1e0ffff0, readonly version = 0x20000000) {
    this.prevhash = h(`${seed}/genesis`);
    this.newTxs();
  }
  private newTxs(): void {
    this.txids = Array.from({ length: 3 }, (_, i) => sha256d(Buffer.from(`${this.seed}/${this.height}/tx${i}`)));
  }
  /** Advance to a new block (the previous job's block is "found" by someone). */
  newBlock(): void {
    this.prevhash = sha256d(Buffer.concat([this.prevhash, Buffer.from(String(this.height))]));
    this.height++;
    this.newTxs();
  }
  job(ntime: number, cleanJobs: boolean, nowMs: number): PoolJob {
    const e1e2Len = 8; // extranonce1(4) + extranonce2(4) pushed together
    const coinb1 = Buffer.concat([
      Buffer.from('01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff', 'hex'),
      Buffer.from([0]), // script length, patched below
      pushHeight(this.height),
      Buffer.from([TAG.length]), TAG,
      Buffer.from([e1e2Len]),
    ]);
    const coinb2 = Buffer.from('ffffffff0100f2052a010000001976a914000000000000000000000000000000000000000088ac00000000', 'hex');
    coinb1[41] = coinb1.length - 42 + e1e2Len;
    // prevhash as the pool sends it: each 4-byte word byte-reversed relative to the header
    const pv = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 4) pv.writeUInt32BE(this.prevhash.readUInt32LE(i), i);
    return {
      jobId: (++this.jobSeq).toString(16), prevhash: pv, coinb1, coinb2, merkleBranch: coinbaseBranch(this.txids),
      version: this.version, nbits: this.nbits, ntime: ntime >>> 0, cleanJobs, height: this.height, createdAt: nowMs,
    };
  }
}
