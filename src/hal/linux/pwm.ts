/**
 * Fan PWM through /sys/class/pwm: `<chip>/export` the channel, then `period`, `duty_cycle`
 * (ns) and `enable` (the kernel's sysfs PWM ABI, Documentation/ABI/testing/sysfs-class-pwm). The
 * stock L3+ 3.8 kernel's legacy layout (`period_ns`, `duty_ns`, `run`, chips.md §1:
 * duty_ns = period x pct / 100) is accepted too. A board path `/sys/class/pwm/pwmM` without a
 * chip names channel M of the only pwmchip there.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KabosuError } from '../../core/errors';
import type { Pwm } from '../types';
import { fileOp } from './gpio';
import { underRoots, type KernelRoots } from './sysfsPaths';

interface Files { period: string; duty: string; enable: string }

export class SysfsPwm implements Pwm {
  private dutyNow = 0;
  private closed = false;
  private constructor(
    readonly path: string,
    private readonly files: Files,
    private readonly periodNs: number,
    private readonly label: string,
  ) {}

  get duty(): number {
    return this.dutyNow;
  }

  static async open(boardPath: string, periodNs: number, o: { roots: KernelRoots; label: string; exportWaitMs?: number }): Promise<SysfsPwm> {
    const path = await resolveChannel(underRoots(boardPath, o.roots), boardPath, o.label, o.exportWaitMs ?? 2000);
    const files: Files = existsSync(join(path, 'duty_cycle'))
      ? { period: join(path, 'period'), duty: join(path, 'duty_cycle'), enable: join(path, 'enable') }
      : { period: join(path, 'period_ns'), duty: join(path, 'duty_ns'), enable: join(path, 'run') };
    const pwm = new SysfsPwm(path, files, periodNs, o.label);
    const what = `PWM ${boardPath} (${o.label})`;
    // duty 0 before the period: the kernel refuses a period shorter than the duty in force.
    await fileOp(() => writeFile(files.duty, '0'), `${what}: ${files.duty}`, 'KBS_E_PWM_WRITE', { path });
    await fileOp(() => writeFile(files.period, String(periodNs)), `${what}: ${files.period}`, 'KBS_E_PWM_WRITE', { path });
    await fileOp(() => writeFile(files.enable, '1'), `${what}: ${files.enable}`, 'KBS_E_PWM_WRITE', { path });
    return pwm;
  }

  async setDuty(duty: number): Promise<void> {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `PWM ${this.path} is closed`, { canceled: true });
    if (!Number.isFinite(duty) || duty < 0 || duty > 1) throw new KabosuError('KBS_E_PWM_DUTY', `PWM duty ${duty} is outside 0..1`, { context: { path: this.path } });
    const ns = Math.round(this.periodNs * duty);
    await fileOp(() => writeFile(this.files.duty, String(ns)), `PWM ${this.path} (${this.label}): ${this.files.duty}`, 'KBS_E_PWM_WRITE', { path: this.path });
    this.dutyNow = duty;
  }

  /** Leaves the fans running at their last duty (a stopped daemon must not stop the fans). */
  async close(): Promise<void> {
    this.closed = true;
  }
}

async function resolveChannel(path: string, boardPath: string, label: string, waitMs: number): Promise<string> {
  if (existsSync(path)) return path;
  const m = /^pwm(\d+)$/.exec(basename(path));
  const parent = dirname(path);
  if (!m) throw noPwm(boardPath, label, `${path} does not exist`);
  let chip = parent;
  if (!/^pwmchip\d+$/.test(basename(parent))) {
    const chips = existsSync(parent) ? readdirSync(parent).filter((n) => /^pwmchip\d+$/.test(n)) : [];
    if (chips.length !== 1) throw noPwm(boardPath, label, chips.length === 0 ? `no pwmchip under ${parent}` : `${chips.length} pwmchips under ${parent} (${chips.join(', ')}): name the chip in the board definition (pwmchipK/pwm${m[1]})`);
    chip = join(parent, chips[0]);
  }
  const channel = join(chip, `pwm${m[1]}`);
  if (!existsSync(channel)) {
    await fileOp(() => writeFile(join(chip, 'export'), m[1]), `PWM ${boardPath} (${label}): ${join(chip, 'export')}`, 'KBS_E_PWM_EXPORT', { path: chip });
    const until = Date.now() + waitMs;
    while (!existsSync(join(channel, 'enable')) && !existsSync(join(channel, 'run'))) {
      if (Date.now() > until) throw noPwm(boardPath, label, `${channel} did not appear after export`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return channel;
}

function noPwm(boardPath: string, label: string, why: string): KabosuError {
  return new KabosuError('KBS_E_PWM_MISSING', `PWM ${boardPath} (${label}): ${why}`, { hint: 'check that the PWM driver is loaded and the overlay enables the channel (overlays/); hashboards.linux.sysfsRoot', context: { path: boardPath } });
}
