/**
 * Percent done and ETA of a byte stream, from the bytes so far and the time since the start
 * (times passed in). ETA is null until there is a rate to extrapolate. Pure.
 */
export interface Progress {
  bytes: number;
  total: number;
  percent: number;
  etaS: number | null;
  rateBps: number | null;
}

export function progressOf(bytes: number, total: number, elapsedMs: number): Progress {
  const percent = total > 0 ? Math.min(100, Math.floor((bytes / total) * 1000) / 10) : 100;
  const rate = elapsedMs > 0 && bytes > 0 ? (bytes * 1000) / elapsedMs : null;
  const etaS = rate ? Math.max(0, Math.round(((total - bytes) / rate) * 10) / 10) : null;
  return { bytes, total, percent, etaS, rateBps: rate === null ? null : Math.round(rate) };
}

/** Reports at most every `stepPct` percent (and always the last), so logs and MQTT stay quiet. */
export class ProgressThrottle {
  private last = -Infinity;
  constructor(private readonly stepPct = 10) {}
  due(p: Progress): boolean {
    if (p.percent >= 100 || p.percent - this.last >= this.stepPct) {
      this.last = p.percent;
      return true;
    }
    return false;
  }
}
