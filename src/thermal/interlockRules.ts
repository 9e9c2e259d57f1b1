/**
 * Safety interlock rules (pure): given per-board temperature readings with timestamps, fan
 * tach, regulator status and `now`, decide which boards must be powered off and why.
 * Fail safe: anything not positively known to be safe trips (conventions: safety path).
 */
export type TripReason = 'over_temp' | 'stale_reading' | 'frozen_reading' | 'implausible_reading' | 'fans_stopped' | 'regulator_fault';

export interface InterlockLimits {
  dangerousC: number;
  /**
   * Trip this far below dangerous: the sensors sit on 2 of the board's chips, not necessarily
   * the hottest (gap up to ~0.7 C measured in the simulator), and the die keeps rising during
   * the read/act latency. Default 2 C.
   */
  marginC: number;
  /** A reading older than this trips (ms). */
  staleMs: number;
  /**
   * A sensor whose value has not changed at all for this long trips as frozen, provided the mean
   * of the other sensors moved by >= MOVE_C since it last changed (a real steady state, where
   * nothing moves, is not a fault).
   */
  frozenMs: number;
  minPlausibleC: number;
  maxPlausibleC: number;
  /** Immersion: no fans; fans_stopped never trips. */
  immersion: boolean;
  /** Cool-down: a tripped board may re-enable only below this for `coolHoldMs`. */
  coolBelowC: number;
  coolHoldMs: number;
}

export const DEFAULT_INTERLOCK: Omit<InterlockLimits, 'dangerousC' | 'coolBelowC' | 'immersion'> = {
  marginC: 2,
  staleMs: 2000,
  frozenMs: 30000,
  // TMP451 standard format spans 0..127.9375 C: 0 is the stock "failed sensor" value and the
  // top of the range is saturation, so both ends are treated as implausible on a powered board.
  minPlausibleC: 0.5,
  maxPlausibleC: 127,
  coolHoldMs: 30000,
};

export interface SensorReading {
  tempC: number;
  atMs: number;
  /** When the value last changed (ms); equals atMs on a fresh change. */
  changedAtMs: number;
  /** Mean of the other sensors when this one last changed (see the frozen rule). */
  peerAtChangeC?: number;
}

/** Peers moved this far while a sensor stayed constant: it is frozen (well above 1/16 C steps). */
export const MOVE_C = 1.5;

export interface BoardInputs {
  board: number;
  powered: boolean;
  /** One entry per sensor on the board; null = never read. */
  sensors: readonly (SensorReading | null)[];
  regulatorFault: boolean;
}

export interface FanInputs {
  /** Measured RPM per fan (null = no tach reading). */
  rpm: readonly (number | null)[];
  /** Commanded duty % (0-100). */
  duty: number;
  minRunningRpm: number;
}

export interface Trip {
  board: number;
  reason: TripReason;
  detail: string;
}

/** Every fan below `minRunningRpm` (or no tach at all), outside immersion: no air moves. */
export function fansStopped(l: Pick<InterlockLimits, 'immersion'>, fans: Pick<FanInputs, 'rpm' | 'minRunningRpm'>): boolean {
  return !l.immersion && (fans.rpm.length === 0 || fans.rpm.every((r) => r === null || !(r >= fans.minRunningRpm)));
}

/** Evaluate every powered board. Returns one trip (the first reason found) per board to power off. */
export function evaluateInterlock(l: InterlockLimits, boards: readonly BoardInputs[], fans: FanInputs, nowMs: number): Trip[] {
  const trips: Trip[] = [];
  const allFansStopped = fansStopped(l, fans);
  for (const b of boards) {
    if (!b.powered) continue;
    const t = boardTrip(l, b, nowMs, boards);
    if (t) trips.push(t);
    else if (allFansStopped) trips.push({ board: b.board, reason: 'fans_stopped', detail: `all fans below ${fans.minRunningRpm} rpm (${fans.rpm.join(',')})` });
  }
  return trips;
}

function boardTrip(l: InterlockLimits, b: BoardInputs, nowMs: number, all: readonly BoardInputs[]): Trip | null {
  if (b.regulatorFault) return { board: b.board, reason: 'regulator_fault', detail: 'regulator reports a fault' };
  if (b.sensors.length === 0) return { board: b.board, reason: 'stale_reading', detail: 'board has no temperature sensor reading' };
  for (let i = 0; i < b.sensors.length; i++) {
    const r = b.sensors[i];
    if (r === null) return { board: b.board, reason: 'stale_reading', detail: `sensor ${i} never read` };
    if (!Number.isFinite(r.tempC) || r.tempC < l.minPlausibleC || r.tempC > l.maxPlausibleC) {
      return { board: b.board, reason: 'implausible_reading', detail: `sensor ${i} reads ${r.tempC} C (plausible ${l.minPlausibleC}..${l.maxPlausibleC})` };
    }
    if (r.tempC >= l.dangerousC - l.marginC) return { board: b.board, reason: 'over_temp', detail: `sensor ${i} ${r.tempC} C >= dangerous ${l.dangerousC} C - margin ${l.marginC} C` };
    if (!(nowMs - r.atMs <= l.staleMs)) return { board: b.board, reason: 'stale_reading', detail: `sensor ${i} last read ${nowMs - r.atMs} ms ago (> ${l.staleMs})` };
    if (nowMs - r.changedAtMs > l.frozenMs && r.peerAtChangeC !== undefined && Math.abs(peerMean(all, r) - r.peerAtChangeC) >= MOVE_C) return { board: b.board, reason: 'frozen_reading', detail: `sensor ${i} unchanged at ${r.tempC} C for ${nowMs - r.changedAtMs} ms` };
  }
  return null;
}

/** Mean of every sensor reading except `self` (NaN when there is none). */
export function peerMean(all: readonly BoardInputs[], self: SensorReading | null): number {
  let sum = 0;
  let n = 0;
  for (const b of all) for (const r of b.sensors) if (r && r !== self && Number.isFinite(r.tempC)) { sum += r.tempC; n++; }
  return n ? sum / n : Number.NaN;
}

/** Tracks when a sensor value last changed and what its peers read then (`peerC`, NaN = none). */
export function nextReading(prev: SensorReading | null, tempC: number, atMs: number, peerC = Number.NaN): SensorReading {
  const changed = prev === null || prev.tempC !== tempC;
  if (!changed) return { ...prev, atMs };
  return Number.isFinite(peerC) ? { tempC, atMs, changedAtMs: atMs, peerAtChangeC: peerC } : { tempC, atMs, changedAtMs: atMs };
}

export interface CoolDown {
  /** When the board's hottest reading first went below coolBelowC (null = not cool). */
  coolSinceMs: number | null;
}

/**
 * Cool-down gate for re-enabling a tripped board: every sensor fresh, plausible and below
 * coolBelowC continuously for coolHoldMs. The caller also requires a clean chain re-init.
 */
/**
 * A tripped board may be re-initialised once its sensors have read cool for `coolHoldMs` AND air
 * moves (some fan at `minRunningRpm`, or immersion): boards tripped with the fans stopped (a fan
 * duty of 0 by command, dead fans) stay off however cool they read, instead of being powered for
 * a moment every hold time only to trip again.
 */
export function coolDownStep(l: InterlockLimits, c: CoolDown, sensors: readonly (SensorReading | null)[], fans: Pick<FanInputs, 'rpm' | 'minRunningRpm'>, nowMs: number): { state: CoolDown; ready: boolean } {
  const ok = !fansStopped(l, fans) && sensors.length > 0 && sensors.every((r) => r !== null && Number.isFinite(r.tempC) && r.tempC >= l.minPlausibleC && r.tempC < l.coolBelowC && nowMs - r.atMs <= l.staleMs);
  if (!ok) return { state: { coolSinceMs: null }, ready: false };
  const since = c.coolSinceMs ?? nowMs;
  return { state: { coolSinceMs: since }, ready: nowMs - since >= l.coolHoldMs };
}
