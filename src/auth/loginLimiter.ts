/**
 * Login rate limit with lockout, per client address: `maxFailures` wrong passwords within
 * `windowMs` lock that address out for `lockMs`, doubling on each further lockout (capped at
 * `maxLockMs`); a correct login clears the address. Pure: time is passed in.
 */
export interface LoginLimiterOptions {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  maxLockMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimiterOptions = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 60_000, maxLockMs: 60 * 60_000 };

interface Entry {
  failures: number[];
  lockedUntil: number;
  lockouts: number;
}

export class LoginLimiter {
  private readonly by = new Map<string, Entry>();
  constructor(private readonly o: LoginLimiterOptions = DEFAULT_LOGIN_LIMITS) {}

  /** Milliseconds this address must still wait, 0 when it may try. */
  lockedFor(addr: string, nowMs: number): number {
    const e = this.by.get(addr);
    return e && e.lockedUntil > nowMs ? e.lockedUntil - nowMs : 0;
  }

  failed(addr: string, nowMs: number): void {
    const e = this.by.get(addr) ?? { failures: [], lockedUntil: 0, lockouts: 0 };
    e.failures = e.failures.filter((t) => nowMs - t < this.o.windowMs);
    e.failures.push(nowMs);
    if (e.failures.length >= this.o.maxFailures) {
      e.lockedUntil = nowMs + Math.min(this.o.maxLockMs, this.o.lockMs * 2 ** e.lockouts);
      e.lockouts++;
      e.failures = [];
    }
    this.by.set(addr, e);
    if (this.by.size > 10_000) this.by.delete(this.by.keys().next().value as string); // bounded
  }

  succeeded(addr: string): void {
    this.by.delete(addr);
  }
}
