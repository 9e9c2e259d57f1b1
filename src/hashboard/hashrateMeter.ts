/**
 * Hashrate from returned nonces (chips.md §13): every nonce that verifies at the ticket target
 * stands for `ticketDifficulty x 65536` hashes on average (scrypt pool difficulty 1 is 2^16
 * hashes: target 0xffff << 224). With n nonces in a window the 1-sigma relative error is 1/sqrt(n),
 * so every figure is reported with it. Pure: time is an argument.
 */
export const HASHES_PER_DIFF1 = 65536;

export interface RateEstimate {
  /** Hashes per second. */
  hps: number;
  /** Nonces counted in the window. */
  nonces: number;
  /** 1-sigma relative error of hps (1/sqrt(nonces)); Infinity with no nonce. */
  relErr: number;
  /** Seconds the window actually covers (shorter than asked right after start). */
  spanS: number;
}

export const WINDOWS_S = { '5s': 5, '1m': 60, '15m': 900 } as const;
export type WindowName = keyof typeof WINDOWS_S | 'total';

/**
 * Nonce sums per time bucket in a ring: `n` buckets of `widthS` seconds each. Windows are read
 * from the newest (partial) bucket back, so a window covers (n - 1) full buckets plus the
 * elapsed part of the newest.
 */
class BucketRing {
  private readonly hashes: Float64Array;
  private readonly counts: Uint32Array;
  /** Index (floor(seconds / widthS)) of the newest bucket. */
  private head: number;

  constructor(private readonly n: number, readonly widthS: number, startMs: number) {
    this.hashes = new Float64Array(n);
    this.counts = new Uint32Array(n);
    this.head = Math.floor(startMs / 1000 / widthS);
  }

  add(weightHashes: number, nowMs: number): void {
    this.roll(nowMs);
    const i = this.head % this.n;
    this.hashes[i] += weightHashes;
    this.counts[i] += 1;
  }

  /** Sums of the newest `buckets` buckets (the newest is partial). */
  sum(buckets: number, nowMs: number): { h: number; n: number } {
    this.roll(nowMs);
    let h = 0;
    let n = 0;
    for (let k = 0; k < Math.min(buckets, this.n); k++) {
      const i = (((this.head - k) % this.n) + this.n) % this.n;
      h += this.hashes[i];
      n += this.counts[i];
    }
    return { h, n };
  }

  private roll(nowMs: number): void {
    const b = Math.floor(nowMs / 1000 / this.widthS);
    if (b <= this.head) return;
    const steps = Math.min(this.n, b - this.head);
    for (let k = 1; k <= steps; k++) {
      const i = (this.head + k) % this.n;
      this.hashes[i] = 0;
      this.counts[i] = 0;
    }
    this.head = b;
  }
}

/**
 * Windows 5 s and 1 min come from 60 one-second buckets, 15 min from 60 fifteen-second buckets:
 * 1.4 KB per meter (a meter per chip: 288 on an L3+) and at most 60 buckets summed per figure,
 * where one-second buckets for 15 min cost 10.8 KB and 900 additions.
 */
const FINE = { n: 60, widthS: 1 };
const COARSE = { n: 60, widthS: 15 };

export class HashrateMeter {
  private readonly fine: BucketRing;
  private readonly coarse: BucketRing;
  private totalHashes = 0;
  private totalNonces = 0;

  constructor(private readonly startMs: number) {
    this.fine = new BucketRing(FINE.n, FINE.widthS, startMs);
    this.coarse = new BucketRing(COARSE.n, COARSE.widthS, startMs);
  }

  /** Records one verified nonce of the given weight in hashes (ticket difficulty x 65536). */
  record(weightHashes: number, nowMs: number): void {
    this.fine.add(weightHashes, nowMs);
    this.coarse.add(weightHashes, nowMs);
    this.totalHashes += weightHashes;
    this.totalNonces += 1;
  }

  rate(window: WindowName, nowMs: number): RateEstimate {
    const sinceStartS = Math.max(1e-3, (nowMs - this.startMs) / 1000);
    if (window === 'total') return estimate(this.totalHashes, this.totalNonces, sinceStartS);
    const spanWanted = WINDOWS_S[window];
    const ring = spanWanted <= FINE.n * FINE.widthS ? this.fine : this.coarse;
    const buckets = Math.ceil(spanWanted / ring.widthS);
    // The newest (partial) bucket counts by the time elapsed in it, so windows do not jump.
    const inNewestS = (nowMs / 1000) % ring.widthS;
    const spanS = Math.min((buckets - 1) * ring.widthS + inNewestS, sinceStartS);
    const { h, n } = ring.sum(buckets, nowMs);
    return estimate(h, n, Math.max(spanS, 1e-3));
  }

  get nonces(): number {
    return this.totalNonces;
  }
}

function estimate(hashes: number, nonces: number, spanS: number): RateEstimate {
  return { hps: hashes / spanS, nonces, relErr: nonces > 0 ? 1 / Math.sqrt(nonces) : Infinity, spanS };
}
