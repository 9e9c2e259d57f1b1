import type { Clock, TimerHandle } from '../hal/types';

/**
 * Keeps every chain busy (DESIGN "main flow"). A chain works on one work item at a time
 * (Scrypt chains: one work per chain, chips.md §5.5) and must get fresh work before its chips
 * run through their nonce range, and at once when the pool announces new work.
 *
 * - `newWork(clean)`: a new pool job. Every chain gets fresh work in one synchronous pass,
 *   chain after chain with no await in between, so a new block reaches every chain as fast as
 *   the UARTs allow. A clean job also invalidates what was in flight (the caller's share
 *   checker marks those jobs stale).
 * - Each chain's refresh timer re-arms on every dispatch: the refresh interval is the time the
 *   chips need to scan their nonce slice, with margin (chips.md §5.5 formula, computed by the
 *   caller for the chain's frequency).
 * - No work available (no pool job yet, pool down): chains keep their last work; dispatching
 *   resumes on the next `newWork`.
 */
export interface ChainWorkSink<W> {
  readonly index: number;
  /** Puts the work on the wire; must not throw for a chain that is down (log and return). */
  dispatch(work: W): void;
}

export interface WorkSchedulerOptions<W> {
  clock: Clock;
  chains: readonly ChainWorkSink<W>[];
  /** Builds the next work item for a chain (new extranonce2 or ntime); undefined when none. */
  nextWork(chainIndex: number): W | undefined;
  /** Milliseconds until a chain needs fresh work. */
  refreshMs(chainIndex: number): number;
}

export class WorkScheduler<W> {
  private readonly timers = new Map<number, TimerHandle>();
  private stopped = false;
  dispatched = 0;

  constructor(private readonly o: WorkSchedulerOptions<W>) {}

  /** A new job from the pool: fresh work on every chain now. */
  newWork(): void {
    for (const chain of this.o.chains) this.feed(chain);
  }

  /** Sends fresh work to one chain (used after a chain re-init). */
  feedChain(chainIndex: number): void {
    const chain = this.o.chains.find((c) => c.index === chainIndex);
    if (chain) this.feed(chain);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private feed(chain: ChainWorkSink<W>): void {
    if (this.stopped) return;
    this.timers.get(chain.index)?.cancel();
    this.timers.delete(chain.index);
    const work = this.o.nextWork(chain.index);
    if (work === undefined) return;
    chain.dispatch(work);
    this.dispatched++;
    const ms = this.o.refreshMs(chain.index);
    this.timers.set(
      chain.index,
      this.o.clock.setTimeout(() => this.feed(chain), ms),
    );
  }
}

/**
 * Seconds a BM1485 chain needs fresh work after (chips.md §5.5, stock L3+ formula):
 * 2^32/16 / (256/addrInterval) / (f x 1e6) x 0.95 x 2500 -> 19.5 s at 384 MHz.
 */
export function bm1485RefreshMs(freqMHz: number, addrInterval: number): number {
  const s = (2 ** 32 / 16 / (256 / addrInterval) / (freqMHz * 1e6)) * 0.95 * 2500;
  return Math.round(s * 1000);
}
