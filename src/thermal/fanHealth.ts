/**
 * Fan failure detection (pure): measured tach RPM against the RPM the commanded duty should
 * give. A fan that stays below `minFraction` of expected for `graceMs` (spin-up/down inertia)
 * is failed; it recovers once it reaches the expectation again.
 */
export interface FanModel {
  maxRpm: number;
  /** Duty % below which the fan is not expected to spin (sim: linear above 10 %). */
  startDuty: number;
}

export interface FanHealthOptions {
  minFraction: number;
  graceMs: number;
}

export const DEFAULT_FAN_HEALTH: FanHealthOptions = { minFraction: 0.5, graceMs: 5000 };

export interface FanHealthState {
  lowSinceMs: number | null;
  failed: boolean;
}

export function expectedRpm(m: FanModel, duty: number): number {
  if (!(duty > m.startDuty)) return 0;
  return (m.maxRpm * Math.min(100, duty)) / 100;
}

export function fanHealthInit(): FanHealthState {
  return { lowSinceMs: null, failed: false };
}

/** `rpm` null = no tach reading: counts as low (fail safe). */
export function fanHealthStep(o: FanHealthOptions, m: FanModel, s: FanHealthState, duty: number, rpm: number | null, nowMs: number): { state: FanHealthState; changed: boolean } {
  const expected = expectedRpm(m, duty);
  const low = expected > 0 && (rpm === null || !Number.isFinite(rpm) || rpm < expected * o.minFraction);
  if (!low) return { state: { lowSinceMs: null, failed: false }, changed: s.failed };
  const since = s.lowSinceMs ?? nowMs;
  const failed = nowMs - since >= o.graceMs;
  return { state: { lowSinceMs: since, failed }, changed: failed !== s.failed };
}
