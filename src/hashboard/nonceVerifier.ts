import type { Clock } from '../hal/types';
import type { VerifyResult } from '../pow/types';
import { TargetBytes, leq256 } from '../pow/targets';
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
  /** The PoW hash, when the UART's reader thread already computed it (hal UartPrehash). */
  hash?: Buffer;
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
  /** Ticket targets as 32 little-endian bytes (a handful of distinct values). */
  private readonly targets = new TargetBytes();
  unknownWork = 0;
  inFlight = 0;

  constructor(private readonly d: NonceVerifierDeps<W>) {}

  push(ev: NonceEvent): void {
    const work = this.d.lookup(ev.chain, ev.jobId);
    if (!work) {
      this.unknownWork++;
      return;
    }
    if (ev.hash) {
      this.settle(ev, work, ev.hash, leq256(ev.hash, this.targets.of(work.ticketTarget)), this.d.clock.now());
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
          this.settle(ev, work, r?.hash, !!r && r.valid, now);
        }
      },
      (err) => {
        this.inFlight -= batch.length;
        this.d.onError(err);
      },
    );
  }

  private settle(ev: NonceEvent, work: W, hash: Buffer | undefined, valid: boolean, now: number): void {
    if (!valid || !hash) {
      this.d.stats.recordHwError(ev.chain, ev.chip);
      this.d.onHwError?.(ev);
      return;
    }
    this.d.stats.recordNonce(ev.chain, ev.chip, work.ticketWeightHashes, now);
    this.d.onValid(work, ev, hash);
  }
}
