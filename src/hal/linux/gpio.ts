/**
 * GPIO lines through sysfs (/sys/class/gpio, what the L3+ controller's kernel exposes), by the
 * board definition's global numbers. Written directly with fs (the same files onoff writes:
 * export, direction, value) so that `sysfsRoot` can point at a tree a test or guest drives;
 * onoff, which hard-codes /sys/class/gpio, is used for edge interrupts (tach.ts).
 *
 * A line already exported (a previous run, the stock scripts) is taken over, never a failure
 * (a restart must not crash-loop on its own leftovers); export refused with EBUSY means another
 * driver holds the line: a clear error naming it.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KabosuError } from '../../core/errors';
import type { GpioLine } from '../types';
import { errnoHint, type KernelRoots } from './sysfsPaths';

export interface SysfsGpioOptions {
  roots: KernelRoots;
  /** 'out' lines start at `initial` (direction written as "high"/"low": no glitch). */
  direction: 'in' | 'out';
  initial?: 0 | 1;
  /** What the line is for, in errors ("chain 0 reset"). */
  label: string;
  /** How long to wait for the kernel (and udev) to create gpioN after export. */
  exportWaitMs?: number;
  /** Called when the line was already exported before us. */
  onTakeover?: (gpio: number) => void;
}

export class SysfsGpioLine implements GpioLine {
  private closed = false;
  private constructor(
    readonly gpio: number,
    readonly direction: 'in' | 'out',
    private readonly dir: string,
    private readonly classDir: string,
    private readonly label: string,
    private readonly exportedByUs: boolean,
  ) {}

  static async open(gpio: number, o: SysfsGpioOptions): Promise<SysfsGpioLine> {
    const classDir = join(o.roots.sysfs, 'class/gpio');
    const dir = join(classDir, `gpio${gpio}`);
    const what = `GPIO ${gpio} (${o.label})`;
    let exported = false;
    if (existsSync(dir)) o.onTakeover?.(gpio);
    else {
      await fileOp(() => writeFile(join(classDir, 'export'), String(gpio)), `${what}: ${join(classDir, 'export')}`, 'KBS_E_GPIO_EXPORT', { gpio, label: o.label });
      exported = true;
      const until = Date.now() + (o.exportWaitMs ?? 2000);
      while (!existsSync(join(dir, 'value'))) {
        if (Date.now() > until) {
          throw new KabosuError('KBS_E_GPIO_EXPORT', `${what}: ${dir} did not appear after export`, { hint: 'the kernel accepted the export but made no line: check the GPIO number against the controller (cat /sys/kernel/debug/gpio)', context: { gpio, label: o.label, path: dir } });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const direction = o.direction === 'out' ? (o.initial === 1 ? 'high' : 'low') : 'in';
    await fileOp(() => writeFile(join(dir, 'direction'), direction), `${what}: ${join(dir, 'direction')}`, 'KBS_E_GPIO_DIRECTION', { gpio, label: o.label });
    const line = new SysfsGpioLine(gpio, o.direction, dir, classDir, o.label, exported);
    // The level once more, explicitly: a no-op after "high"/"low" on a kernel, and the level a
    // line taken over (or a tree that ignores the direction's level) holds from now on.
    if (o.direction === 'out') await line.write(o.initial ?? 0);
    return line;
  }

  async read(): Promise<0 | 1> {
    this.check();
    const p = join(this.dir, 'value');
    const t = await fileOp(() => readFile(p, 'utf8'), `GPIO ${this.gpio} (${this.label}): ${p}`, 'KBS_E_GPIO_READ', { gpio: this.gpio, label: this.label });
    const v = t.trim();
    if (v !== '0' && v !== '1') throw new KabosuError('KBS_E_GPIO_READ', `GPIO ${this.gpio} (${this.label}) read '${v.slice(0, 16)}', not 0 or 1`, { hint: `check ${p}`, context: { gpio: this.gpio } });
    return v === '1' ? 1 : 0;
  }

  async write(value: 0 | 1): Promise<void> {
    this.check();
    // As the kernel refuses (EPERM) a value written to an input, and as the simulator's lines do.
    if (this.direction === 'in') throw new KabosuError('KBS_E_GPIO_DIRECTION', `GPIO ${this.gpio} (${this.label}) is an input`, { context: { gpio: this.gpio } });
    if (value !== 0 && value !== 1) throw new KabosuError('KBS_E_GPIO_VALUE', `GPIO value must be 0 or 1, got ${String(value)}`, { context: { gpio: this.gpio } });
    const p = join(this.dir, 'value');
    await fileOp(() => writeFile(p, value ? '1' : '0'), `GPIO ${this.gpio} (${this.label}): ${p}`, 'KBS_E_GPIO_WRITE', { gpio: this.gpio, label: this.label });
  }

  /** Unexports the line if this process exported it (an output keeps its last level). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.exportedByUs) return;
    await writeFile(join(this.classDir, 'unexport'), String(this.gpio)).catch(() => undefined);
    // The kernel removes gpioN at once; wait (bounded) so a next export of it cannot race it.
    for (let i = 0; i < 50 && existsSync(this.dir); i++) await new Promise((r) => setTimeout(r, 10));
  }

  private check(): void {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `GPIO ${this.gpio} (${this.label}) is closed`, { canceled: true });
  }
}

/** Runs a file operation on a kernel interface; a failure becomes a KabosuError naming the file. */
export async function fileOp<T>(f: () => Promise<T>, what: string, code: string, context: Record<string, unknown>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    throw new KabosuError(code, `${what}: ${errno ?? (err as Error).message}`, { hint: errnoHint(errno, what), context: { ...context, errno }, cause: err });
  }
}
