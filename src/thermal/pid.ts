/**
 * PID controller for fan duty (pure: no I/O, no timers; the caller passes dt).
 *
 * Reverse-acting: a temperature above the setpoint raises the output (more fan). Output is
 * clamped to [outMin, outMax] and its change per second limited by `slewPerS` (no audible
 * hunting). Anti-windup by conditional integration: the integral does not grow in a direction
 * that would push an already-saturated (or slew-limited) output further.
 */
export interface PidGains {
  kp: number;
  ki: number;
  kd: number;
}

export interface PidOptions extends PidGains {
  outMin: number;
  outMax: number;
  /** Largest change of the output per second (duty % / s). Infinity disables the limit. */
  slewPerS: number;
}

export interface PidState {
  integral: number;
  lastMeasurement: number | null;
  output: number;
}

/** Bumpless start: the integral holds the initial output, so the first step does not jump. */
export function pidInit(o: PidOptions, initialOutput = o.outMin): PidState {
  const output = clamp(initialOutput, o.outMin, o.outMax);
  return { integral: output, lastMeasurement: null, output };
}

export function validatePid(o: PidOptions): string | null {
  for (const k of ['kp', 'ki', 'kd', 'outMin', 'outMax'] as const) {
    if (!Number.isFinite(o[k])) return `${k} must be a finite number`;
  }
  if (o.kp < 0 || o.ki < 0 || o.kd < 0) return 'gains must be >= 0';
  if (o.outMin > o.outMax) return 'outMin must be <= outMax';
  if (!(o.slewPerS > 0)) return 'slewPerS must be > 0';
  return null;
}

/**
 * One controller step. `dtS` <= 0 or a non-finite measurement leaves the state unchanged
 * except that a non-finite measurement is not trusted (the interlock, not the PID, handles
 * bad sensors) and the output is held.
 */
export function pidStep(o: PidOptions, s: PidState, setpoint: number, measurement: number, dtS: number): PidState {
  if (!(dtS > 0) || !Number.isFinite(measurement) || !Number.isFinite(setpoint)) return s;
  const error = measurement - setpoint; // reverse acting: hot -> positive -> more fan
  // Derivative on measurement (no kick when the setpoint changes).
  const deriv = s.lastMeasurement === null ? 0 : (measurement - s.lastMeasurement) / dtS;
  const candidateIntegral = s.integral + o.ki * error * dtS;
  const rawWith = o.kp * error + candidateIntegral + o.kd * deriv;
  const limited = slewClamp(o, s.output, rawWith, dtS);
  // Conditional integration: keep the new integral only if the output is not pinned in the
  // direction the error pushes it.
  const pinnedHigh = limited < rawWith && error > 0;
  const pinnedLow = limited > rawWith && error < 0;
  const integral = pinnedHigh || pinnedLow ? s.integral : candidateIntegral;
  // Bound the integral to the output span so it never stores more than the actuator can use.
  const span = o.outMax - o.outMin;
  const boundedIntegral = clamp(integral, -span, o.outMax);
  return { integral: boundedIntegral, lastMeasurement: measurement, output: limited };
}

function slewClamp(o: PidOptions, prev: number, raw: number, dtS: number): number {
  const bounded = clamp(raw, o.outMin, o.outMax);
  if (!Number.isFinite(o.slewPerS)) return bounded;
  const step = o.slewPerS * dtS;
  return clamp(clamp(bounded, prev - step, prev + step), o.outMin, o.outMax);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
