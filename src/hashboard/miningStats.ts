import { HashrateMeter, WINDOWS_S, type RateEstimate, type WindowName } from './hashrateMeter';

/**
 * Per chip, chain and miner counters and hashrates (issue: nonces, HW errors, hashrate over
 * 5 s / 1 min / 15 min / since start with its statistical error, last-nonce time). A chain is one
 * hash board on the Scrypt models kabosu drives, so "board" figures are the chain figures.
 * Pure: every call takes the time.
 */
export interface CounterSet {
  nonces: number;
  hwErrors: number;
  lastNonceMs: number | null;
}

class Unit {
  readonly meter: HashrateMeter;
  readonly counts: CounterSet = { nonces: 0, hwErrors: 0, lastNonceMs: null };
  constructor(startMs: number) {
    this.meter = new HashrateMeter(startMs);
  }
  nonce(weight: number, nowMs: number): void {
    this.meter.record(weight, nowMs);
    this.counts.nonces++;
    this.counts.lastNonceMs = nowMs;
  }
  hwError(): void {
    this.counts.hwErrors++;
  }
}

export interface UnitSnapshot extends CounterSet {
  hashrate: Record<WindowName, RateEstimate>;
  /** HW errors / (HW errors + nonces), 0..1 */
  hwErrorRatio: number;
}

export class MiningStats {
  private readonly miner: Unit;
  private readonly chains: Unit[];
  private readonly chips: Unit[][];

  constructor(chipsPerChain: readonly number[], startMs: number) {
    this.miner = new Unit(startMs);
    this.chains = chipsPerChain.map(() => new Unit(startMs));
    this.chips = chipsPerChain.map((n) => Array.from({ length: n }, () => new Unit(startMs)));
  }

  /** A nonce that verified at the ticket target; weight = ticket difficulty x 65536 hashes. */
  recordNonce(chain: number, chip: number, weightHashes: number, nowMs: number): void {
    this.miner.nonce(weightHashes, nowMs);
    this.chains[chain]?.nonce(weightHashes, nowMs);
    this.chips[chain]?.[chip]?.nonce(weightHashes, nowMs);
  }

  /** A nonce that failed verification: an HW error of that chip. */
  recordHwError(chain: number, chip: number): void {
    this.miner.hwError();
    this.chains[chain]?.hwError();
    this.chips[chain]?.[chip]?.hwError();
  }

  minerSnapshot(nowMs: number): UnitSnapshot {
    return snapshot(this.miner, nowMs);
  }

  chainSnapshot(chain: number, nowMs: number): UnitSnapshot {
    return snapshot(this.chains[chain], nowMs);
  }

  /** Per chip nonce and HW-error counts only: what health and tuning read every few seconds (no rate windows). */
  chipCounts(chain: number): { nonces: number; hwErrors: number }[] {
    return (this.chips[chain] ?? []).map((u) => ({ nonces: u.counts.nonces, hwErrors: u.counts.hwErrors }));
  }

  chipSnapshots(chain: number, nowMs: number): UnitSnapshot[] {
    return (this.chips[chain] ?? []).map((u) => snapshot(u, nowMs));
  }

  get chainCount(): number {
    return this.chains.length;
  }
}

function snapshot(u: Unit, nowMs: number): UnitSnapshot {
  const hashrate = {} as Record<WindowName, RateEstimate>;
  for (const w of [...(Object.keys(WINDOWS_S) as (keyof typeof WINDOWS_S)[]), 'total' as const]) hashrate[w] = u.meter.rate(w, nowMs);
  const total = u.counts.nonces + u.counts.hwErrors;
  return { ...u.counts, hashrate, hwErrorRatio: total > 0 ? u.counts.hwErrors / total : 0 };
}
