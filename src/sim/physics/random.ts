/**
 * Seeded randomness for the simulator (mulberry32 + Box-Muller). Every random choice in the
 * simulator flows from one seed, so a run is reproducible; `fork(label)` derives independent
 * streams (per chain, per chip) whose values do not shift when another stream draws more.
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = hash32(seed >>> 0, 0x9e3779b9);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An independent stream named by label (e.g. `chain2`). */
  fork(label: string): SeededRandom {
    let h = this.seed >>> 0;
    for (let i = 0; i < label.length; i++) h = hash32(h, label.charCodeAt(i));
    return new SeededRandom(h);
  }
}

function hash32(a: number, b: number): number {
  let h = Math.imul(a ^ b, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
