/**
 * A latency histogram since start (pure; no clock): counts per bucket, each bucket holding the
 * samples up to its bound (ms) and above the previous one; the last bucket is everything above.
 * Two snapshots subtract to the distribution of the samples between them (what a benchmark
 * window or a Prometheus rate() needs), which a ring of recent samples cannot give.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 25, 50, 100, 250, 1000];

export interface HistogramSnapshot {
  /** Upper bounds (ms) of every bucket but the last, which is unbounded. */
  le_ms: number[];
  /** Samples per bucket (length le_ms.length + 1). */
  counts: number[];
}

export class LatencyHistogram {
  private readonly counts: number[];
  constructor(private readonly bounds: readonly number[] = LATENCY_BOUNDS_MS) {
    this.counts = new Array(bounds.length + 1).fill(0);
  }

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    let i = 0;
    while (i < this.bounds.length && ms > this.bounds[i]) i++;
    this.counts[i]++;
  }

  snapshot(): HistogramSnapshot {
    return { le_ms: [...this.bounds], counts: [...this.counts] };
  }
}

/** The samples recorded between two snapshots of the same histogram. */
export function histogramDelta(before: HistogramSnapshot | undefined, after: HistogramSnapshot): HistogramSnapshot {
  return { le_ms: after.le_ms, counts: after.counts.map((c, i) => c - (before?.counts[i] ?? 0)) };
}

/**
 * The bucket bound the q-quantile falls under (Infinity when it is in the open last bucket;
 * null with no samples): "p99 <= 1 ms" is exact, the value inside the bucket is not known.
 */
export function quantileBound(h: HistogramSnapshot, q: number): number | null {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const want = Math.ceil(q * total);
  let acc = 0;
  for (let i = 0; i < h.counts.length; i++) {
    acc += h.counts[i];
    if (acc >= want) return i < h.le_ms.length ? h.le_ms[i] : Infinity;
  }
  return Infinity;
}
