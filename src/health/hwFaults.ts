/**
 * Hardware fault checks for sensors, fans, the PSU and the regulators, pure: each takes a
 * reading (or the error reading it) and says what is wrong, if anything. The safety interlock
 * (thermal/) acts on temperatures and fans on its own; these feed health events, alerts and
 * `kabosu diag`.
 */
export type HwFaultKind =
  | 'sensor_missing'
  | 'sensor_implausible'
  | 'sensor_stuck'
  | 'fan_stalled'
  | 'fan_slow'
  | 'psu_no_answer'
  | 'psu_sag'
  | 'regulator_no_answer'
  | 'regulator_mismatch'
  | 'chain_chips_missing'
  | 'chain_frame_errors';

export interface HwFault {
  kind: HwFaultKind;
  /** 'chain0.sensor1', 'fan0', 'psu', 'chain2.regulator' */
  part: string;
  /** Board the fault concerns, or null for the miner (fans, PSU). */
  board: number | null;
  severity: 'warning' | 'critical';
  message: string;
}

/** A temperature the hardware cannot report on a running board (TMP451 standard range 0..127 °C; 0 is the stock "failed" value). */
export function plausibleTempC(c: number): boolean {
  return Number.isFinite(c) && c > 0 && c < 127;
}

export function checkSensor(part: string, board: number, r: { tempC: number } | { error: string }): HwFault | null {
  if ('error' in r) return { kind: 'sensor_missing', part, board, severity: 'critical', message: `${part} does not answer: ${r.error}` };
  if (!plausibleTempC(r.tempC)) return { kind: 'sensor_implausible', part, board, severity: 'critical', message: `${part} reads ${r.tempC} °C, outside what a running board can show` };
  return null;
}

/**
 * Stuck: the raw reading (1/16 °C resolution) did not move at all over `spanMs` while the board
 * was powered; a live diode wobbles by at least one LSB within minutes.
 */
export class StuckDetector {
  private value: number | null = null;
  private sinceMs = 0;
  /** Mutable: the config's `health.hardware.sensorStuckMs` may change while running. */
  constructor(public spanMs = 5 * 60_000) {}
  push(nowMs: number, tempC: number, powered: boolean): boolean {
    if (!powered || tempC !== this.value) {
      this.value = powered ? tempC : null;
      this.sinceMs = nowMs;
      return false;
    }
    return nowMs - this.sinceMs >= this.spanMs;
  }
}

/** Fan speed against the commanded duty (linear above 10 % on these fans: rpm ≈ maxRpm x duty). */
export function checkFan(part: string, duty: number, rpm: number | { error: string }, maxRpm: number): HwFault | null {
  if (typeof rpm !== 'number') return { kind: 'fan_stalled', part, board: null, severity: 'critical', message: `${part} tach does not read: ${rpm.error}` };
  if (duty < 0.15) return null;
  const expected = maxRpm * duty;
  if (rpm < 0.1 * expected) return { kind: 'fan_stalled', part, board: null, severity: 'critical', message: `${part} at ${(duty * 100).toFixed(0)} % duty reads ${rpm} rpm (expected ~${expected.toFixed(0)}): seized or no tach` };
  if (rpm < 0.6 * expected) return { kind: 'fan_slow', part, board: null, severity: 'warning', message: `${part} at ${(duty * 100).toFixed(0)} % duty reads ${rpm} rpm (expected ~${expected.toFixed(0)}): worn or obstructed` };
  return null;
}

export function checkPsu(r: { voutV: number } | { error: string }, nominalV: number, sagFraction = 0.95): HwFault | null {
  if ('error' in r) return { kind: 'psu_no_answer', part: 'psu', board: null, severity: 'warning', message: `PSU telemetry does not answer: ${r.error}` };
  if (r.voutV < nominalV * sagFraction) return { kind: 'psu_sag', part: 'psu', board: null, severity: 'critical', message: `PSU output ${r.voutV.toFixed(2)} V is below ${(sagFraction * 100).toFixed(0)} % of ${nominalV} V` };
  return null;
}

export function checkRegulator(board: number, setV: number | null, r: { volts: number } | { error: string }, toleranceV = 0.05): HwFault | null {
  const part = `chain${board}.regulator`;
  if ('error' in r) return { kind: 'regulator_no_answer', part, board, severity: 'critical', message: `regulator of board ${board} does not answer: ${r.error}` };
  if (setV !== null && Math.abs(r.volts - setV) > toleranceV) {
    return { kind: 'regulator_mismatch', part, board, severity: 'critical', message: `regulator of board ${board} reads back ${r.volts.toFixed(3)} V, set ${setV.toFixed(3)} V` };
  }
  return null;
}
