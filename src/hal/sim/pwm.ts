/** A simulated PWM output: remembers its duty and tells the fan model (`onChange`). */
import type { Pwm } from '../types';
import { KabosuError } from '../../core/errors';

export class SimPwm implements Pwm {
  private dutyNow: number;
  private closed = false;
  private readonly listeners: Array<(duty: number) => void> = [];

  constructor(
    readonly name: string,
    initialDuty = 1,
  ) {
    this.dutyNow = initialDuty;
  }

  get duty(): number {
    return this.dutyNow;
  }

  async setDuty(duty: number): Promise<void> {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `pwm ${this.name} is closed`, { canceled: true });
    if (typeof duty !== 'number' || !Number.isFinite(duty) || duty < 0 || duty > 1) {
      throw new KabosuError('KBS_E_PWM_DUTY', `pwm duty must be in 0..1, got ${String(duty)}`, { context: { pwm: this.name } });
    }
    this.dutyNow = duty;
    for (const fn of this.listeners) fn(duty);
  }

  onChange(fn: (duty: number) => void): void {
    this.listeners.push(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
