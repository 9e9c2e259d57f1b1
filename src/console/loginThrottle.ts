import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store';

/**
 * Login lockout with backoff, pure: `FREE` failures are free; each further one locks the login
 * for base * 2^(n-FREE-1), capped. A success clears it. `FileThrottleState` keeps the count in
 * the data dir so unplugging the adapter or restarting the console does not reset it.
 */
export interface ThrottlePolicy {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { freeAttempts: 3, baseDelayMs: 5_000, maxDelayMs: 300_000 };

export interface ThrottleState {
  failures: number;
  lockedUntilMs: number;
}

export function afterFailure(s: ThrottleState, nowMs: number, p: ThrottlePolicy = DEFAULT_THROTTLE): ThrottleState {
  const failures = s.failures + 1;
  const over = failures - p.freeAttempts;
  const lockedUntilMs = over > 0 ? nowMs + Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (over - 1)) : 0;
  return { failures, lockedUntilMs };
}

/** Milliseconds until the next attempt is allowed (0: now). */
export function waitMs(s: ThrottleState, nowMs: number): number {
  return Math.max(0, s.lockedUntilMs - nowMs);
}

export class FileThrottleState {
  private readonly path: string;
  constructor(dataDir: string) {
    this.path = join(dataDir, 'console-login.json');
  }
  load(): ThrottleState {
    try {
      const s = JSON.parse(readFileSync(this.path, 'utf8')) as ThrottleState;
      if (Number.isFinite(s.failures) && Number.isFinite(s.lockedUntilMs)) return s;
    } catch {
      /* none yet, or unreadable: start clean */
    }
    return { failures: 0, lockedUntilMs: 0 };
  }
  save(s: ThrottleState): void {
    if (s.failures === 0) {
      if (existsSync(this.path)) rmSync(this.path, { force: true });
      return;
    }
    writeFileAtomic(this.path, JSON.stringify(s) + '\n', { mode: 0o600 });
  }
}
