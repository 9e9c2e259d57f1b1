/** At most one log line per key per interval on the injected Clock; counts what it held back. */
import type { Clock } from '../../hal/types';

export class LogLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(private readonly clock: Clock, private readonly intervalMs = 60_000) {}

  /** Calls `log(suppressed)` when this key may log now; `suppressed` = lines held back since the last one. */
  run(key: string, log: (suppressed: number) => void): void {
    const now = this.clock.now();
    const e = this.last.get(key);
    if (e && now - e.at < this.intervalMs) { e.suppressed++; return; }
    if (this.last.size > 64) this.last.clear();
    this.last.set(key, { at: now, suppressed: 0 });
    log(e?.suppressed ?? 0);
  }
}
