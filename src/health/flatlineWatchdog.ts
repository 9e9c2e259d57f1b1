import { poissonCdf } from './stats';

/**
 * Flatline / divergence watchdog (user-needs.md: "hashing but earning nothing"), pure.
 * Over a sliding window it compares what the chips produce with what the pool credits:
 * - flatline: work flows but the chips' verified nonces stopped: P(0 | expected chip nonces) < p.
 * - divergence: the chips' verified work implies E shares at the pool's difficulty, yet
 *   P(accepted <= a | E) < p (shares lost: stale work, wrong extranonce, a pool that ignores us).
 * Each verdict names the likeliest root cause from the counters it saw. Restarts it asks for are
 * bounded (`maxRestartsPerHour`); after that it only reports.
 */
export interface WatchdogSample {
  atMs: number;
  /** Cumulative verified chip nonces and the hashes they stand for. */
  chipNonces: number;
  chipHashes: number;
  accepted: number;
  rejected: number;
  notSubmitted: number;
  /** Share difficulty now (pool). */
  shareDifficulty: number | null;
  /**
   * The hardest ticket difficulty of the chains: the host sees only nonces at or above it, so
   * when the host's floor puts it above the pool's difficulty (hashboard/ticketMask.ts rule 4)
   * the shares the pool credits are found at this difficulty, not the pool's.
   */
  ticketDifficulty?: number | null;
  workFlowing: boolean;
}

export interface WatchdogVerdict {
  state: 'ok' | 'flatline' | 'divergence' | 'unknown';
  rootCause: string;
  restart: boolean;
}

export interface WatchdogParams {
  windowMs: number;
  p: number;
  maxRestartsPerHour: number;
  /** The chips' expected nonce rate (all chains), per second. */
  expectedNoncesPerSec: number;
}

export class FlatlineWatchdog {
  private samples: WatchdogSample[] = [];
  private restarts: number[] = [];
  state: WatchdogVerdict['state'] = 'unknown';

  constructor(private o: WatchdogParams) {}

  /** New thresholds or expected rate (config hot reload); the window and restart budget are kept. */
  configure(o: WatchdogParams): void {
    this.o = o;
  }

  update(s: WatchdogSample): WatchdogVerdict & { changed: boolean } {
    const prev = this.state;
    if (!s.workFlowing) {
      this.samples = [];
      this.state = 'unknown';
      return { state: 'unknown', rootCause: 'no work', restart: false, changed: prev !== 'unknown' };
    }
    // A new share difficulty (vardiff) starts a fresh window: the expectation uses one difficulty.
    const last = this.samples[this.samples.length - 1];
    if (last && last.shareDifficulty !== s.shareDifficulty) this.samples = [];
    this.samples.push(s);
    while (this.samples.length > 2 && this.samples[1].atMs <= s.atMs - this.o.windowMs) this.samples.shift();
    const b = this.samples[0];
    const spanS = (s.atMs - b.atMs) / 1000;
    const dn = s.chipNonces - b.chipNonces;
    const dh = s.chipHashes - b.chipHashes;
    const da = s.accepted - b.accepted;
    const dr = s.rejected - b.rejected;
    const dx = s.notSubmitted - b.notSubmitted;
    let v: WatchdogVerdict = { state: 'ok', rootCause: '', restart: false };
    const lambdaN = this.o.expectedNoncesPerSec * spanS;
    if (dn === 0 && Math.exp(-lambdaN) < this.o.p) {
      v = { state: 'flatline', rootCause: `no verified nonce for ${spanS.toFixed(0)} s while work flows (expected ${lambdaN.toFixed(0)}): chips hung, supply lost, or UART down`, restart: false };
    } else if (s.shareDifficulty && s.shareDifficulty > 0) {
      const expShares = dh / (Math.max(s.shareDifficulty, s.ticketDifficulty ?? 0) * 65536);
      if (poissonCdf(da, expShares) < this.o.p) {
        const cause =
          dr > da ? `the pool rejects shares (${dr} rejected in the window)` : dx > 0 ? `shares not submitted (${dx} stale/duplicate in the window): work is out of date` : `shares submitted but not credited (${da} accepted, ${expShares.toFixed(0)} expected): wrong extranonce or a pool that ignores us`;
        v = { state: 'divergence', rootCause: cause, restart: false };
      }
    }
    if (v.state !== 'ok' && prev !== v.state) {
      this.restarts = this.restarts.filter((t) => t > s.atMs - 3600_000);
      if (this.restarts.length < this.o.maxRestartsPerHour) {
        this.restarts.push(s.atMs);
        v.restart = true;
      }
    }
    this.state = v.state;
    return { ...v, changed: prev !== v.state };
  }
}
