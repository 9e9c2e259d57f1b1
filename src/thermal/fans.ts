/** Fan outputs (PWM 0..1) and tach inputs through hal; duty is in percent here. */
import type { Pwm, Tach } from '../hal/types';

export class Fans {
  private duty = 100;
  constructor(private readonly pwm: readonly Pwm[], private readonly tach: readonly Tach[]) {}

  get count(): number {
    return this.tach.length;
  }

  get commandedDuty(): number {
    return this.duty;
  }

  async setDuty(percent: number): Promise<void> {
    const d = Math.max(0, Math.min(100, Number.isFinite(percent) ? percent : 100));
    this.duty = d;
    await Promise.all(this.pwm.map((p) => p.setDuty(d / 100)));
  }

  /** RPM per fan; null when a tach cannot be read (fail safe: counts as stopped). */
  async readRpm(): Promise<(number | null)[]> {
    return Promise.all(this.tach.map((t) => t.readRpm().then((r) => (Number.isFinite(r) ? r : null), () => null)));
  }
}
