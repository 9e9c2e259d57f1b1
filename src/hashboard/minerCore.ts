import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../hal/types';
import type { Chain } from '../chips/chainDriver';
import type { VerifyResult } from '../pow/types';
import { MiningStats } from './miningStats';
import { NonceVerifier, type NonceEvent, type VerifiableWork } from './nonceVerifier';
import { WorkScheduler } from './workScheduler';
import { chooseTicketDifficulty, type TicketChoice } from './ticketMask';
import { HASHES_PER_DIFF1 } from './hashrateMeter';

/**
 * The hash boards at work: brings the chains up, keeps them fed (WorkScheduler), verifies what
 * they return (NonceVerifier), counts it (MiningStats) and hands candidate shares on. Knows
 * time and chains; knows nothing of pools (the WorkSource and the share sink are the seam).
 */
export interface MinerWork extends VerifiableWork {
  /** Unique per work item; the chain driver maps it onto the wire's small job ids. */
  id: number;
  chain: number;
  /** The 80-byte header with the nonce field zero. */
  header: Buffer;
  /** The share target as 32 LE bytes: nonces meeting it skip the UART reader's batching. */
  urgentTarget?: Buffer;
}

export interface WorkSource<W extends MinerWork> {
  /** The next work item for a chain with this ticket difficulty, or undefined with no pool job. */
  next(chain: number, ticketDifficulty: number): W | undefined;
  /** The share difficulty the pool asks for now (undefined before the first). */
  shareDifficulty(): number | undefined;
}

export interface ChainPlan {
  chain: Chain;
  expectedChips: number;
  freqMHz: number;
  baud?: number;
  /** Expected hashrate of the chain at freqMHz (board model), for the ticket rule. */
  expectedHps: number;
  /** Milliseconds of nonce space one work item covers at freqMHz (chips.md §5.5). */
  refreshMs: number;
}

export interface MinerCoreOptions<W extends MinerWork> {
  clock: Clock;
  log: Logger;
  plans: ChainPlan[];
  source: WorkSource<W>;
  verify(headers: readonly Uint8Array[], targets: readonly bigint[]): Promise<VerifyResult[]>;
  /** A verified nonce: the share decision (stale, duplicate, below share target, submit) is the sink's. */
  onNonce(work: W, ev: NonceEvent, hash: Buffer): void;
  /** Nonces per second the host verifies for all chains together (CPU budget). */
  cpuNoncesPerSec?: number;
  /** Nonces per second per chain wanted for hashrate statistics. */
  targetNoncesPerSec?: number;
  /** Chips without a nonce for this long are reported silent. */
  silentMs?: number;
  /** How many work items per chain are kept for late nonces. */
  keepPerChain?: number;
}

export interface ChainRuntime {
  index: number;
  ready: boolean;
  error?: string;
  chipsFound: number;
  ticket?: TicketChoice;
  silent: number[];
}

export class MinerCore<W extends MinerWork> {
  readonly plans: readonly ChainPlan[];
  readonly stats: MiningStats;
  readonly chains: ChainRuntime[];
  private readonly works: Map<number, W>[];
  private readonly order: number[][];
  private readonly scheduler: WorkScheduler<W>;
  private readonly verifier: NonceVerifier<W>;
  private silentTimer?: TimerHandle;
  private stopped = false;

  constructor(private readonly o: MinerCoreOptions<W>) {
    this.plans = o.plans;
    this.stats = new MiningStats(o.plans.map((p) => p.expectedChips), o.clock.now());
    this.chains = o.plans.map((p, i) => ({ index: i, ready: false, chipsFound: 0, silent: [] }));
    this.works = o.plans.map(() => new Map());
    this.order = o.plans.map(() => []);
    this.scheduler = new WorkScheduler<W>({
      clock: o.clock,
      chains: o.plans.map((p, i) => ({ index: i, dispatch: (w: W) => this.dispatch(i, w) })),
      nextWork: (c) => (this.chains[c].ready && this.chains[c].ticket ? o.source.next(c, this.chains[c].ticket!.difficulty) : undefined),
      refreshMs: (c) => o.plans[c].refreshMs,
    });
    this.verifier = new NonceVerifier<W>({
      clock: o.clock,
      stats: this.stats,
      verify: o.verify,
      lookup: (c, id) => this.works[c]?.get(id),
      onValid: (w, ev, hash) => o.onNonce(w, ev, hash),
      onError: (err) => o.log.error({ err: (err as Error).message }, 'nonce verification failed'),
    });
  }

  /** Brings every chain up in parallel; a chain that fails stays down (reported), the rest mine. */
  async start(): Promise<void> {
    await Promise.all(this.o.plans.map((p, i) => this.bringUp(i, p)));
    const silentMs = this.o.silentMs ?? 600_000;
    this.silentTimer = this.o.clock.setInterval(() => this.checkSilent(silentMs), Math.min(silentMs, 60_000));
    this.newWork();
  }

  private async bringUp(i: number, p: ChainPlan): Promise<void> {
    const rt = this.chains[i];
    try {
      rt.ticket = this.ticketFor(p);
      await p.chain.init({ freqMHz: p.freqMHz, ticketDifficulty: rt.ticket.difficulty, baud: p.baud });
      rt.chipsFound = p.chain.addresses.length;
      p.chain.on('nonce', (n) => this.verifier.push({ chain: i, ...n }), this);
      rt.ready = true;
      this.o.log.info({ chain: i, chips: rt.chipsFound, ticket: rt.ticket.difficulty, limitedBy: rt.ticket.limitedBy }, 'chain mining');
    } catch (err) {
      rt.error = err instanceof Error ? err.message : String(err);
      const found = (err as { context?: { found?: unknown } }).context?.found;
      rt.chipsFound = typeof found === 'number' ? found : 0;
      this.o.log.error({ chain: i, err: rt.error }, 'chain failed to start; it stays off');
    }
  }

  /**
   * Re-initialises one chain (reset, enumerate, PLL, ticket) while the others keep mining
   * (health/ asks for it); the chain stays down, with its error, when that fails.
   */
  async reinitChain(i: number): Promise<boolean> {
    const p = this.o.plans[i];
    const rt = this.chains[i];
    if (!p || this.stopped) return false;
    rt.ready = false;
    rt.error = undefined;
    rt.silent = [];
    p.chain.off(this);
    await this.bringUp(i, p);
    if (rt.ready) this.newWork();
    return rt.ready;
  }

  private ticketFor(p: ChainPlan): TicketChoice {
    const ready = Math.max(1, this.o.plans.length);
    return chooseTicketDifficulty({
      expectedHps: p.expectedHps,
      baud: p.baud ?? p.chain.family.resetBaud,
      replyBytes: p.chain.family.replyLength,
      cpuNoncesPerSec: (this.o.cpuNoncesPerSec ?? 1000) / ready,
      targetNoncesPerSec: this.o.targetNoncesPerSec ?? 75,
      shareDifficulty: this.o.source.shareDifficulty() ?? 65536,
      maxTicketDifficulty: p.chain.family.maxTicketDifficulty,
    });
  }

  /** A new pool job (or new difficulty): fresh work on every ready chain, in one pass. */
  newWork(): void {
    if (!this.stopped) this.scheduler.newWork();
  }

  private dispatch(chain: number, w: W): void {
    const map = this.works[chain];
    const order = this.order[chain];
    map.set(w.id, w);
    order.push(w.id);
    const keep = this.o.keepPerChain ?? 256;
    while (order.length > keep) map.delete(order.shift()!);
    this.o.plans[chain].chain.sendWork({ jobId: w.id, header76: w.header.subarray(0, 76), urgentTarget: w.urgentTarget }).catch((err: Error) => {
      this.o.log.warn({ chain, err: err.message }, 'work not sent');
    });
  }

  private checkSilent(silentMs: number): void {
    this.o.plans.forEach((p, i) => {
      if (this.chains[i].ready) this.chains[i].silent = p.chain.checkSilent(silentMs);
    });
  }

  get unknownWork(): number {
    return this.verifier.unknownWork;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler.stop();
    this.silentTimer?.cancel();
    for (const p of this.o.plans) {
      p.chain.off(this);
      p.chain.close();
    }
  }
}

/** Hashes one verified nonce stands for at a ticket difficulty. */
export function ticketWeight(ticketDifficulty: number): number {
  return ticketDifficulty * HASHES_PER_DIFF1;
}
