/**
 * Fan tachometers on Linux: pulses counted by the kernel, RPM over a window with the board
 * definition's pulses per revolution.
 * - `InterruptsTach`: the tach line's counter in /proc/interrupts (as the stock L3+ firmware
 *   reads it, chips.md §10.5).
 * - `GpioEdgeTach`: falling edges of the tach GPIO through onoff (sysfs edge + epoll; the kernel's
 *   /sys/class/gpio only: onoff cannot be pointed at another tree).
 * A reading that cannot be trusted (line missing, counter backwards, faster than the fan can
 * turn) is an error, which the thermal loop counts as a stopped fan (fail safe).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KabosuError } from '../../core/errors';
import type { Tach } from '../types';
import { fileOp } from './gpio';
import { interruptCount, rpmFromCounts } from './interrupts';
import type { KernelRoots } from './sysfsPaths';

export interface TachOptions {
  pulsesPerRev: number;
  /** RPM is measured over at least this long (the first reads after start give 0). */
  windowMs: number;
  /** A reading above this is nonsense (noise on the tach line): an error, not a fan speed. */
  maxPlausibleRpm: number;
  label: string;
  now?: () => number;
}

type Sample = { atMs: number; count: number };

/** Keeps counter samples and answers the RPM over the last window. */
class Window {
  private samples: Sample[] = [];
  constructor(private readonly o: TachOptions, private readonly what: string) {}
  rpm(s: Sample): number {
    const recent = this.samples.filter((x) => s.atMs - x.atMs <= 4 * this.o.windowMs);
    // After a long gap between reads (a stalled event loop) the newest earlier sample still gives
    // the true mean rate (the kernel kept counting): a gap is not a stopped fan.
    const prev = this.samples[this.samples.length - 1];
    const keep = recent.length === 0 && prev ? [prev] : recent;
    const last = keep[keep.length - 1];
    if (last && s.count < last.count) {
      // Counter reset or wrapped: start over rather than report a made-up speed.
      this.samples = [s];
      throw new KabosuError('KBS_E_TACH_IMPLAUSIBLE', `${this.what}: pulse counter went back from ${last.count} to ${s.count}`, { hint: 'the counter was reset (driver reloaded?); the next window reads again', context: { label: this.o.label } });
    }
    keep.push(s);
    this.samples = keep;
    // The newest sample at least one window old, else nothing yet (0 rpm, as a stock gate does).
    let base: Sample | undefined;
    for (const x of keep) if (s.atMs - x.atMs >= this.o.windowMs) base = x;
    if (!base) return 0;
    const rpm = rpmFromCounts(base, s, this.o.pulsesPerRev) ?? 0;
    if (rpm > this.o.maxPlausibleRpm) {
      throw new KabosuError('KBS_E_TACH_IMPLAUSIBLE', `${this.what}: ${Math.round(rpm)} rpm is faster than this fan can turn (limit ${this.o.maxPlausibleRpm})`, { hint: 'noise on the tach wire or the wrong interrupt line in the board definition (tachIrq / tachGpio)', context: { label: this.o.label, rpm } });
    }
    return Math.round(rpm);
  }
}

export class InterruptsTach implements Tach {
  private readonly window: Window;
  private readonly file: string;
  constructor(private readonly irq: number, private readonly o: TachOptions & { roots: KernelRoots }) {
    this.file = join(o.roots.proc, 'interrupts');
    this.window = new Window(o, `fan tach ${o.label} (interrupt ${irq} in ${this.file})`);
  }

  /** Reads the counter once: a missing line is a clear error at open, not a silent 0 rpm. */
  static async open(irq: number, o: TachOptions & { roots: KernelRoots }): Promise<InterruptsTach> {
    const t = new InterruptsTach(irq, o);
    await t.readRpm();
    return t;
  }

  private closed = false;

  async readRpm(): Promise<number> {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `fan tach ${this.o.label} is closed`, { canceled: true });
    const text = await fileOp(() => readFile(this.file, 'utf8'), `fan tach ${this.o.label}: ${this.file}`, 'KBS_E_TACH_READ', { irq: this.irq });
    const count = interruptCount(text, this.irq);
    if (count === undefined) {
      throw new KabosuError('KBS_E_TACH_MISSING', `fan tach ${this.o.label}: no interrupt line "${this.irq}:" in ${this.file}`, { hint: 'the tach GPIO has no interrupt requested: check the board definition (tachIrq) and that the tach line is set up for falling-edge interrupts', context: { irq: this.irq } });
    }
    return this.window.rpm({ atMs: (this.o.now ?? Date.now)(), count });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export class GpioEdgeTach implements Tach {
  private count = 0;
  private readonly window: Window;
  private constructor(private readonly gpio: { unwatchAll(): void; unexport(): void }, private readonly o: TachOptions) {
    this.window = new Window(o, `fan tach ${o.label} (GPIO edges)`);
  }

  static open(gpioNumber: number, o: TachOptions & { roots: KernelRoots }): GpioEdgeTach {
    if (o.roots.sysfs !== '/sys') {
      throw new KabosuError('KBS_E_TACH_EDGE_ROOT', `fan tach ${o.label}: GPIO edge counting needs the kernel's /sys/class/gpio (sysfsRoot is ${o.roots.sysfs})`, { hint: 'give the fan a tachIrq in the board definition to count /proc/interrupts instead' });
    }
    // onoff is loaded only for edge tachs (its epoll addon is not needed otherwise).
    const { Gpio } = require('onoff') as typeof import('onoff');
    let g: InstanceType<typeof Gpio>;
    try {
      g = new Gpio(gpioNumber, 'in', 'falling');
    } catch (err) {
      const errno = (err as NodeJS.ErrnoException).code;
      throw new KabosuError('KBS_E_TACH_GPIO', `fan tach ${o.label}: GPIO ${gpioNumber}: ${errno ?? (err as Error).message}`, { hint: 'check the tach GPIO number and that this user may export GPIOs', cause: err });
    }
    const t = new GpioEdgeTach(g, o);
    g.watch((err) => {
      if (!err) t.count++;
    });
    return t;
  }

  private closed = false;

  async readRpm(): Promise<number> {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `fan tach ${this.o.label} is closed`, { canceled: true });
    return this.window.rpm({ atMs: (this.o.now ?? Date.now)(), count: this.count });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gpio.unwatchAll();
    this.gpio.unexport();
  }
}
