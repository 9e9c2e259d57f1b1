import type { Clock, TimerHandle } from './types';

/** Wall-clock time (performance.now based, so monotonic). */
export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

interface VirtualTimer {
  id: number;
  at: number;
  fn: () => void;
  everyMs?: number;
}

/**
 * Virtual time for tests and accelerated simulation. Time moves only through `advance()` /
 * `advanceTo()` (or `runFor()`, which also yields to pending promise jobs between timers so
 * async code driven by timers makes progress).
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(0, ms));
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(1, ms), Math.max(1, ms));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Number of pending timers (for tests that check clean-up). */
  get pending(): number {
    return this.timers.length;
  }

  /** Runs every timer due up to now + ms, synchronously, in time order. */
  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const next = this.popDue(target);
      if (!next) break;
      this.t = next.at;
      next.fn();
    }
    this.t = Math.max(this.t, target);
  }

  /**
   * Advances in steps, letting promise continuations run between timers. Use for async code
   * (`await clock.sleep()`) driven by this clock.
   */
  async runFor(ms: number, stepMs = ms): Promise<void> {
    const end = this.t + ms;
    while (this.t < end) {
      const target = Math.min(end, this.t + stepMs);
      for (;;) {
        await flushMicrotasks();
        const next = this.popDue(target);
        if (!next) break;
        this.t = next.at;
        next.fn();
      }
      this.t = target;
      await flushMicrotasks();
    }
  }

  private add(fn: () => void, ms: number, everyMs?: number): TimerHandle {
    const timer: VirtualTimer = { id: ++this.seq, at: this.t + ms, fn, everyMs };
    this.timers.push(timer);
    return {
      cancel: () => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
        timer.everyMs = undefined;
      },
    };
  }

  private popDue(target: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const tm of this.timers) {
      if (tm.at <= target && (!best || tm.at < best.at || (tm.at === best.at && tm.id < best.id))) best = tm;
    }
    if (!best) return undefined;
    const chosen = best;
    if (chosen.everyMs !== undefined) {
      // Re-arm an interval in place; its callback runs at the old due time.
      const due = chosen.at;
      chosen.at = due + chosen.everyMs;
      return { id: chosen.id, at: due, fn: chosen.fn };
    }
    this.timers.splice(this.timers.indexOf(chosen), 1);
    return chosen;
  }
}

function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      handle.cancel();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
