import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * kabosu CLI processes for multi-process tests (`kabosu sim`, `kabosu pool`, `kabosu run`) in a
 * temp directory with a clean environment: each helper's first stdout line, the daemon's
 * combined output, waiting on it, and a cleanup that stops everything (TERM, then KILL).
 */
export class KabosuProcs {
  readonly bin = join(__dirname, '../../bin/kabosu.js');
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly procs: ChildProcess[] = [];
  daemonOut = '';

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.env = { ...process.env };
    for (const k of Object.keys(this.env)) if (k.startsWith('KABOSU_')) delete this.env[k];
  }

  /** A helper process (sim, pool) whose first stdout line is its address report. */
  start(args: string[]): { proc: ChildProcess; firstLine: Promise<string> } {
    const proc = spawn(process.execPath, [this.bin, ...args], { cwd: this.dir, env: { ...this.env, KABOSU_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(proc);
    let err = '';
    proc.stderr!.on('data', (c) => (err += String(c)));
    const firstLine = new Promise<string>((resolve, reject) => {
      createInterface({ input: proc.stdout! }).once('line', resolve);
      proc.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${err.slice(-2000)}`)));
      setTimeout(() => reject(new Error(`${args[0]} printed nothing in 20 s: ${err.slice(-2000)}`)), 20000).unref();
    });
    return { proc, firstLine };
  }

  /** The firmware (`kabosu run ...`); its stdout and stderr collect in `daemonOut`. */
  daemon(args: string[]): ChildProcess {
    const d = spawn(process.execPath, [this.bin, ...args], { cwd: this.dir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.procs.push(d);
    d.stdout!.on('data', (c) => (this.daemonOut += String(c)));
    d.stderr!.on('data', (c) => (this.daemonOut += String(c)));
    return d;
  }

  waitFor(re: RegExp, ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setInterval(() => {
        if (re.test(this.daemonOut)) {
          clearInterval(t);
          clearTimeout(d);
          resolve();
        }
      }, 100);
      const d = setTimeout(() => {
        clearInterval(t);
        reject(new Error(`no ${re} within ${ms} ms:\n${this.daemonOut.slice(-3000)}`));
      }, ms);
    });
  }

  async cleanup(): Promise<void> {
    for (const p of this.procs.reverse()) {
      if (p.exitCode === null && p.signalCode === null) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
