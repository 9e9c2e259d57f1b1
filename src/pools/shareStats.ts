/**
 * Share figures of one pool (or of the whole miner), as cgminer keeps them: counts, the sums of
 * the work difficulty of accepted, rejected and stale shares (a share is worth the pool
 * difficulty it was submitted at, cgminer's `work_difficulty`), the last accepted share, rejects
 * by class (rejectClass.ts) and the last reject's raw text, truncated. Stale shares are counted in
 * `rejected` too (they are rejects of class `stale`). Pure; time is passed in.
 */
import { classifyReject, emptyRejectCounts, rejectText, type RejectClass } from './rejectClass';

export interface LastReject { code: number | null; text: string; atMs: number; class: RejectClass }

export interface ShareStatsSnapshot {
  accepted: number;
  rejected: number;
  stale: number;
  rejectedBy: Record<RejectClass, number>;
  difficultyAccepted: number;
  difficultyRejected: number;
  difficultyStale: number;
  /** Work difficulty of the last accepted share; null before one. */
  lastShareDifficulty: number | null;
  lastShareAtMs: number | null;
  lastReject: LastReject | null;
}

export class ShareStats {
  private s: ShareStatsSnapshot = {
    accepted: 0, rejected: 0, stale: 0, rejectedBy: emptyRejectCounts(), difficultyAccepted: 0, difficultyRejected: 0,
    difficultyStale: 0, lastShareDifficulty: null, lastShareAtMs: null, lastReject: null,
  };

  accepted(difficulty: number, nowMs: number): void {
    this.s.accepted++;
    this.s.difficultyAccepted += difficulty;
    this.s.lastShareDifficulty = difficulty;
    this.s.lastShareAtMs = nowMs;
  }

  /** Counts a reject by its class and keeps its text; returns the class. */
  rejected(difficulty: number, code: number | null, reason: string, nowMs: number): RejectClass {
    const cls = classifyReject(code, reason);
    this.s.rejected++;
    this.s.rejectedBy[cls]++;
    this.s.difficultyRejected += difficulty;
    if (cls === 'stale') { this.s.stale++; this.s.difficultyStale += difficulty; }
    this.s.lastReject = { code, text: rejectText(reason), atMs: nowMs, class: cls };
    return cls;
  }

  snapshot(): ShareStatsSnapshot {
    return { ...this.s, rejectedBy: { ...this.s.rejectedBy }, lastReject: this.s.lastReject && { ...this.s.lastReject } };
  }
}
