/**
 * Thermal policy (pure): target < hot < dangerous.
 * - below hot: normal; frequency scale restored gradually (one step per `restoreIntervalMs`
 *   while the temperature stays below hot - hysteresis);
 * - at/above hot: reduce the frequency scale one step per `stepIntervalMs` until under hot;
 * - at/above dangerous: `dangerous`, the frequency scale straight to the minimum (one
 *   `throttle` action). Latched until the temperature is below `target` (cool-down), then back
 *   to throttled at the minimum scale.
 *
 * Powering a board off is not a policy action: the safety interlock (interlockRules.ts) is its
 * one owner, and it trips every powered board with a sensor at dangerous - marginC (or a stale,
 * frozen or implausible one) before this policy ever sees dangerous. The property test in
 * test/unit/thermal/policy.test.ts holds the two together.
 */
export interface PolicyLimits {
  targetC: number;
  hotC: number;
  dangerousC: number;
  hysteresisC: number;
  /** Frequency scale change per step (e.g. 0.05 = 5 %). */
  step: number;
  minScale: number;
  stepIntervalMs: number;
  restoreIntervalMs: number;
}

export type PolicyLevel = 'normal' | 'throttled' | 'dangerous';

export interface PolicyState {
  level: PolicyLevel;
  /** Frequency scale to apply (1 = configured frequency). */
  scale: number;
  lastChangeMs: number;
}

export type PolicyAction =
  | { kind: 'none' }
  | { kind: 'throttle'; scale: number }
  | { kind: 'restore'; scale: number }
  | { kind: 'cooled' };

export const DEFAULT_POLICY: Omit<PolicyLimits, 'targetC' | 'hotC' | 'dangerousC'> = {
  hysteresisC: 2,
  step: 0.05,
  minScale: 0.5,
  stepIntervalMs: 5000,
  restoreIntervalMs: 30000,
};

export function validateLimits(l: PolicyLimits): string | null {
  if (![l.targetC, l.hotC, l.dangerousC].every(Number.isFinite)) return 'temperatures must be finite';
  if (!(l.targetC < l.hotC && l.hotC < l.dangerousC)) return `need targetC < hotC < dangerousC (got ${l.targetC} < ${l.hotC} < ${l.dangerousC})`;
  if (!(l.step > 0 && l.step <= 0.5)) return 'step must be in (0, 0.5]';
  if (!(l.minScale > 0 && l.minScale <= 1)) return 'minScale must be in (0, 1]';
  if (!(l.hysteresisC >= 0)) return 'hysteresisC must be >= 0';
  return null;
}

export function policyInit(nowMs: number): PolicyState {
  return { level: 'normal', scale: 1, lastChangeMs: nowMs };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Advance the policy with the hottest temperature (NaN = unknown: hold, the interlock acts). */
export function policyStep(l: PolicyLimits, s: PolicyState, tempC: number, nowMs: number): { state: PolicyState; action: PolicyAction } {
  const none = { state: s, action: { kind: 'none' } as PolicyAction };
  if (!Number.isFinite(tempC)) return none;
  if (tempC >= l.dangerousC) {
    if (s.level === 'dangerous') return none;
    return { state: { level: 'dangerous', scale: l.minScale, lastChangeMs: nowMs }, action: { kind: 'throttle', scale: l.minScale } };
  }
  if (s.level === 'dangerous') {
    if (tempC < l.targetC) return { state: { level: 'throttled', scale: l.minScale, lastChangeMs: nowMs }, action: { kind: 'cooled' } };
    return none;
  }
  const since = nowMs - s.lastChangeMs;
  if (tempC >= l.hotC) {
    if (s.scale <= l.minScale) return s.level === 'throttled' ? none : { state: { ...s, level: 'throttled' }, action: { kind: 'none' } };
    if (s.level === 'throttled' && since < l.stepIntervalMs) return none;
    const scale = Math.max(l.minScale, round(s.scale - l.step));
    return { state: { level: 'throttled', scale, lastChangeMs: nowMs }, action: { kind: 'throttle', scale } };
  }
  if (s.scale < 1 && tempC < l.hotC - l.hysteresisC && since >= l.restoreIntervalMs) {
    const scale = Math.min(1, round(s.scale + l.step));
    return { state: { level: scale >= 1 ? 'normal' : 'throttled', scale, lastChangeMs: nowMs }, action: { kind: 'restore', scale } };
  }
  return none;
}
