/**
 * A fan: PWM duty -> target RPM (linear above the start duty, chips.md §14.17), first-order
 * inertia toward the target, a tachometer that counts pulses (pulses/rev) per 1 s gate as the
 * stock driver does (chips.md §10.5), and electrical power by the affinity law. Faults: seized
 * (rotor stops, airflow gone) and tach lost (the fan spins, the tach reads 0).
 */
import { fanPowerW } from './calibration';

/** Below this duty a fan does not start (the stock driver never goes below 20 %). */
export const FAN_START_DUTY = 0.1;
/** A seized rotor stops within about a second. */
const SEIZE_TIME_CONSTANT_MS = 300;

export class FanModel {
  private dutyNow = 1; // fans run at full speed until the controller sets a duty (hardware default)
  private rpmNow = 0;
  seized = false;
  tachLost = false;

  constructor(
    readonly maxRpm: number,
    readonly pulsesPerRev: number,
    readonly maxPowerW: number,
    private readonly timeConstantMs: number,
  ) {}

  setDuty(duty: number): void {
    if (!Number.isFinite(duty)) throw new RangeError(`fan duty must be a number in 0..1, got ${duty}`);
    this.dutyNow = Math.min(1, Math.max(0, duty));
  }

  get duty(): number {
    return this.dutyNow;
  }

  get rpm(): number {
    return this.rpmNow;
  }

  /** The speed the fan settles at for the current duty (0 when seized). */
  targetRpm(): number {
    if (this.seized || this.dutyNow < FAN_START_DUTY) return 0;
    return this.maxRpm * this.dutyNow;
  }

  step(dtMs: number): void {
    const tau = this.seized ? SEIZE_TIME_CONSTANT_MS : this.timeConstantMs;
    const a = Math.exp(-Math.max(0, dtMs) / tau);
    const target = this.targetRpm();
    this.rpmNow = target + (this.rpmNow - target) * a;
    if (this.rpmNow < 1) this.rpmNow = target < 1 ? 0 : this.rpmNow;
  }

  /** Puts the rotor at its settled speed (start-up shortcut). */
  settle(): void {
    this.rpmNow = this.targetRpm();
  }

  /** What the tachometer reports: whole pulses in a 1 s gate, x 60 / pulses per rev. */
  tachRpm(): number {
    if (this.tachLost) return 0;
    const pulses = Math.floor((this.rpmNow * this.pulsesPerRev) / 60);
    return (pulses * 60) / this.pulsesPerRev;
  }

  powerW(): number {
    return fanPowerW(this.maxPowerW, this.rpmNow / this.maxRpm);
  }
}
