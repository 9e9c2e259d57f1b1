/** A simulated fan tachometer: reports what the fan model's tach counts (see physics/fan.ts). */
import type { Tach } from '../types';
import { KabosuError } from '../../core/errors';

export class SimTach implements Tach {
  private closed = false;

  constructor(
    readonly name: string,
    private readonly source: () => number,
  ) {}

  async readRpm(): Promise<number> {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `tach ${this.name} is closed`, { canceled: true });
    return this.source();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
