/**
 * Hashrate from returned nonces (chips.md §13): every nonce that verifies at the ticket target
 * stands for `ticketDifficulty x 65536` hashes on average (scrypt pool difficulty 1 is 2^16
 * hashes: target 0xffff << 224). With n nonces in a window the 1-sigma relative error is 1/sqrt(n),
 * so every figure is reported with it. Pure: time is an argument; one-second buckets.
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

const BUCKETS = 900;

export class HashrateMeter {
  private readonly hashes = new Float64Array(BUCKETS);
  private readonly counts = new Uint32Array(BUCKETS);
  /** The second (floor(ms/1000)) the newest bucket stands for. */
  private headS: number;
  private totalHashes = 0;
  private totalNonces = 0;

  constructor(private readonly startMs: number) {
    this.headS = Math.floor(startMs / 1000);
  }

  /** Records one verified nonce of the given weight in hashes (ticket difficulty x 65536). */
  record(weightHashes: number, nowMs: number): void {
    this.roll(nowMs);
    const i = this.headS % BUCKETS;
    this.hashes[i] += weightHashes;
    this.counts[i] += 1;
    this.totalHashes += weightHashes;
    this.totalNonces += 1;
  }

  rate(window: WindowName, nowMs: number): RateEstimate {
    this.roll(nowMs);
    const sinceStartS = Math.max(1e-3, (nowMs - this.startMs) / 1000);
    if (window === 'total') return estimate(this.totalHashes, this.totalNonces, sinceStartS);
    const spanWanted = WINDOWS_S[window];
    // The current (partial) second counts by the fraction elapsed, so short windows do not jump.
    const fracNow = (nowMs / 1000) % 1;
    const spanS = Math.min(spanWanted - 1 + fracNow, sinceStartS);
    let h = 0;
    let n = 0;
    for (let k = 0; k < spanWanted; k++) {
      const i = (((this.headS - k) % BUCKETS) + BUCKETS) % BUCKETS;
      h += this.hashes[i];
      n += this.counts[i];
    }
    return estimate(h, n, Math.max(spanS, 1e-3));
  }

  get nonces(): number {
    return this.totalNonces;
  }

  private roll(nowMs: number): void {
    const s = Math.floor(nowMs / 1000);
    if (s <= this.headS) return;
    const steps = Math.min(BUCKETS, s - this.headS);
    for (let k = 1; k <= steps; k++) {
      const i = (this.headS + k) % BUCKETS;
      this.hashes[i] = 0;
      this.counts[i] = 0;
    }
    this.headS = s;
  }
}

function estimate(hashes: number, nonces: number, spanS: number): RateEstimate {
  return { hps: hashes / spanS, nonces, relErr: nonces > 0 ? 1 / Math.sqrt(nonces) : Infinity, spanS };
}
