import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fake sysfs + procfs tree for the Linux hal (hashboards.linux.sysfsRoot / procRoot), playing
 * the kernel's part of the ABI the backend uses, nothing more:
 * - `sys/class/gpio/export` N -> `gpioN/{direction,value,edge,active_low}` appear (after a
 *   poll, as udev makes them appear late); `direction` "high"/"low" reads back "out" (the
 *   level is not applied from it: see directions()); `unexport` N removes the line.
 * - `sys/class/pwm/pwmchipK/export` M -> `pwmM/{period,duty_cycle,enable,polarity}`.
 * - `proc/interrupts`: lines the test sets (`setInterrupt`), written atomically.
 * What a real kernel does beyond that (values on an input pin, tach pulses) the test sets.
 */
export class FakeKernelTree {
  readonly root: string;
  readonly sys: string;
  readonly proc: string;
  private timer?: NodeJS.Timeout;
  private irqs = new Map<number, { count: number; name: string }>();

  constructor(o: { pwmChips?: number; dir?: string } = {}) {
    this.root = o.dir ?? mkdtempSync(join(tmpdir(), 'kabosu-fakesys-'));
    this.sys = join(this.root, 'sys');
    this.proc = join(this.root, 'proc');
    mkdirSync(join(this.sys, 'class/gpio'), { recursive: true });
    mkdirSync(this.proc, { recursive: true });
    writeFileSync(join(this.sys, 'class/gpio/export'), '');
    writeFileSync(join(this.sys, 'class/gpio/unexport'), '');
    for (let k = 0; k < (o.pwmChips ?? 1); k++) {
      const chip = join(this.sys, `class/pwm/pwmchip${k}`);
      mkdirSync(chip, { recursive: true });
      writeFileSync(join(chip, 'export'), '');
      writeFileSync(join(chip, 'npwm'), '2\n');
    }
    this.writeInterrupts();
  }

  /** Starts playing the kernel (polls the control files every `everyMs`). */
  start(everyMs = 5): this {
    this.timer = setInterval(() => this.step(), everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  cleanup(): void {
    this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }

  gpioDir(n: number): string {
    return join(this.sys, `class/gpio/gpio${n}`);
  }

  /** A line already exported by someone else (a previous run, the stock scripts). */
  preExport(n: number, direction: 'in' | 'out' = 'in', value: 0 | 1 = 0): void {
    const d = this.gpioDir(n);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'direction'), `${direction}\n`);
    writeFileSync(join(d, 'value'), `${value}\n`);
    writeFileSync(join(d, 'edge'), 'none\n');
    writeFileSync(join(d, 'active_low'), '0\n');
  }

  /** The line's value as the kernel would report it (undefined: not exported). */
  gpioValue(n: number): 0 | 1 | undefined {
    const p = join(this.gpioDir(n), 'value');
    if (!existsSync(p)) return undefined;
    return readFileSync(p, 'utf8').trim() === '1' ? 1 : 0;
  }

  /** An input pin's level (PLUG lines): what the hardware drives. */
  setInput(n: number, v: 0 | 1): void {
    writeFileSync(join(this.gpioDir(n), 'value'), `${v}\n`);
  }

  pwmDir(chip: number, ch: number): string {
    return join(this.sys, `class/pwm/pwmchip${chip}/pwm${ch}`);
  }

  /** The channel's duty as a fraction of its period (undefined: not exported or no period). */
  pwmDuty(chip: number, ch: number): { duty: number; enabled: boolean; periodNs: number } | undefined {
    const d = this.pwmDir(chip, ch);
    if (!existsSync(d)) return undefined;
    const periodNs = Number(readFileSync(join(d, 'period'), 'utf8'));
    const dutyNs = Number(readFileSync(join(d, 'duty_cycle'), 'utf8'));
    if (!(periodNs > 0)) return undefined;
    return { duty: dutyNs / periodNs, enabled: readFileSync(join(d, 'enable'), 'utf8').trim() === '1', periodNs };
  }

  /** Sets an interrupt line's count (the tach pulses the kernel counted). */
  setInterrupt(irq: number, count: number, name = `gpio-tach-${irq}`): void {
    this.irqs.set(irq, { count, name });
    this.writeInterrupts();
  }

  interrupt(irq: number): number {
    return this.irqs.get(irq)?.count ?? 0;
  }

  /** Replaces /proc/interrupts with arbitrary text (nonsense tests). */
  writeRawInterrupts(text: string): void {
    const tmp = join(this.proc, '.interrupts.tmp');
    writeFileSync(tmp, text);
    renameSync(tmp, join(this.proc, 'interrupts'));
  }

  private writeInterrupts(): void {
    const lines = ['           CPU0       '];
    lines.push(' 16:     123456      INTC  68 Level     gp_timer');
    for (const [irq, v] of [...this.irqs].sort((a, b) => b[0] - a[0])) lines.push(`${String(irq).padStart(3)}: ${String(v.count).padStart(10)}  gpio  0 Edge      ${v.name}`);
    this.writeRawInterrupts(lines.join('\n') + '\n');
  }

  private step(): void {
    try {
      this.exports();
      this.directions();
      this.pwmExports();
    } catch {
      // a file caught mid-write: the next poll sees it whole
    }
  }

  private exports(): void {
    const ex = join(this.sys, 'class/gpio/export');
    const n = readFileSync(ex, 'utf8').trim();
    if (n) {
      writeFileSync(ex, '');
      if (/^\d+$/.test(n) && !existsSync(this.gpioDir(Number(n)))) this.preExport(Number(n));
    }
    const un = join(this.sys, 'class/gpio/unexport');
    const u = readFileSync(un, 'utf8').trim();
    if (u) {
      writeFileSync(un, '');
      rmSync(this.gpioDir(Number(u)), { recursive: true, force: true });
    }
  }

  private directions(): void {
    const base = join(this.sys, 'class/gpio');
    for (const name of readdirSync(base)) {
      if (!name.startsWith('gpio') || name.startsWith('gpiochip')) continue;
      const f = join(base, name, 'direction');
      const d = readFileSync(f, 'utf8').trim();
      // Reads back "out" as the kernel's does. The level itself is not applied here: a poll
      // could land after a later value write and undo it (kabosu writes the level explicitly).
      if (d === 'high' || d === 'low') writeFileSync(f, 'out\n');
    }
  }

  private pwmExports(): void {
    const base = join(this.sys, 'class/pwm');
    for (const chip of readdirSync(base)) {
      const ex = join(base, chip, 'export');
      const m = readFileSync(ex, 'utf8').trim();
      if (!m) continue;
      writeFileSync(ex, '');
      const d = join(base, chip, `pwm${m}`);
      if (existsSync(d)) continue;
      mkdirSync(d);
      writeFileSync(join(d, 'period'), '0\n');
      writeFileSync(join(d, 'duty_cycle'), '0\n');
      writeFileSync(join(d, 'enable'), '0\n');
      writeFileSync(join(d, 'polarity'), 'normal\n');
    }
  }
}
