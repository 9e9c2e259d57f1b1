/**
 * Simulated GPIO lines (conventions 2.6.1: fakes that remember their state). An output line
 * remembers what the firmware wrote and tells the board (`onChange`); an input line is driven
 * by the simulator (`drive`) and refuses firmware writes, as a sysfs input does.
 */
import type { GpioLine } from '../types';
import { KabosuError } from '../../core/errors';

export class SimGpioLine implements GpioLine {
  private value: 0 | 1;
  private closed = false;
  private readonly listeners: Array<(v: 0 | 1) => void> = [];

  constructor(
    readonly name: string,
    readonly direction: 'in' | 'out',
    initial: 0 | 1,
  ) {
    this.value = initial;
  }

  async read(): Promise<0 | 1> {
    this.check();
    return this.value;
  }

  async write(value: 0 | 1): Promise<void> {
    this.check();
    if (this.direction === 'in') {
      throw new KabosuError('KBS_E_GPIO_DIRECTION', `gpio ${this.name} is an input`, { context: { line: this.name } });
    }
    if (value !== 0 && value !== 1) throw new KabosuError('KBS_E_GPIO_VALUE', `gpio value must be 0 or 1, got ${String(value)}`);
    this.set(value);
  }

  /** The simulator side: drives an input (or forces an output) and notifies listeners on change. */
  drive(value: 0 | 1): void {
    this.set(value);
  }

  /** Current level without the async API (simulator side). */
  get level(): 0 | 1 {
    return this.value;
  }

  onChange(fn: (v: 0 | 1) => void): void {
    this.listeners.push(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private set(value: 0 | 1): void {
    if (value === this.value) return;
    this.value = value;
    for (const fn of this.listeners) fn(value);
  }

  private check(): void {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `gpio ${this.name} is closed`, { canceled: true });
  }
}
