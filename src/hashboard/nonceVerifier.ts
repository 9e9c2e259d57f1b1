import type { Clock } from '../hal/types';
import type { VerifyResult } from '../pow/types';
import type { MiningStats } from './miningStats';

/**
 * chips --nonce--> verify --> stats / shares (DESIGN "main flow"). Nonces that arrive in the
 * same event-loop turn are verified as one batch (the native verifier computes them in SIMD
 * lanes off the event loop); a lone nonce is verified at once, never held back for a batch.
 *
 * - invalid at the ticket target -> an HW error of that chip;
 * - valid -> counted for hashrate (ticket difficulty x 65536 hashes), then handed to
 *   `onValid`, which decides share / stale / duplicate / below share target (work/).
 * - unknown work id (overwritten slot, or work from before a chain reset) -> counted apart,
 *   never an HW error (the chip did nothing wrong).
 */
export interface NonceEvent {
  chain: number;
  chip: number;
  core: number;
  jobId: number;
  /** The 32-bit nonce as the chip returned it (wire bytes read big-endian). */
  nonce: number;
  /** Host time (performance.now(), ms) the chain driver read the bytes: latency figures only. */
  readAt?: number;
}

export interface VerifiableWork {
  /** Builds the 80-byte header with this nonce in place. */
  headerWithNonce(nonce: number): Uint8Array;
  ticketTarget: bigint;
  /** Hashes one valid nonce stands for: ticket difficulty x 65536. */
  ticketWeightHashes: number;
}

export interface NonceVerifierDeps<W extends VerifiableWork> {
  clock: Clock;
  stats: MiningStats;
  verify(headers: readonly Uint8Array[], targets: readonly bigint[]): Promise<VerifyResult[]>;
  lookup(chain: number, jobId: number): W | undefined;
  onValid(work: W, ev: NonceEvent, hash: Buffer): void;
  onHwError?(ev: NonceEvent): void;
  onError(err: unknown): void;
}

export class NonceVerifier<W extends VerifiableWork> {
  private queue: { ev: NonceEvent; work: W }[] = [];
  private scheduled = false;
  unknownWork = 0;
  inFlight = 0;

  constructor(private readonly d: NonceVerifierDeps<W>) {}

  push(ev: NonceEvent): void {
    const work = this.d.lookup(ev.chain, ev.jobId);
    if (!work) {
      this.unknownWork++;
      return;
    }
    this.queue.push({ ev, work });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.inFlight += batch.length;
    const headers = batch.map((b) => b.work.headerWithNonce(b.ev.nonce));
    const targets = batch.map((b) => b.work.ticketTarget);
    this.d.verify(headers, targets).then(
      (results) => {
        this.inFlight -= batch.length;
        const now = this.d.clock.now();
        for (let i = 0; i < batch.length; i++) {
          const { ev, work } = batch[i];
          const r = results[i];
          if (!r || !r.valid) {
            this.d.stats.recordHwError(ev.chain, ev.chip);
            this.d.onHwError?.(ev);
            continue;
          }
          this.d.stats.recordNonce(ev.chain, ev.chip, work.ticketWeightHashes, now);
          this.d.onValid(work, ev, r.hash);
        }
      },
      (err) => {
        this.inFlight -= batch.length;
        this.d.onError(err);
      },
    );
  }
}
