import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localRequest } from '../../src/api/local/client';

/**
 * Console prompt-back latency (issue 20 target: < 100 ms for every read-only command with the
 * daemon mining): `kabosu run` mining on simulated boards, `kabosu console --tty` on a PTY
 * (socat links it to this process, which plays the terminal). Each sample: the command is typed,
 * its echo awaited, then Enter; the time is from Enter written to the next prompt read back.
 * Baseline in the same run: an empty line (Enter -> prompt), the PTY and shell round trip alone.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const PROMPT = 'bench-m1> ';

const READ_ONLY = ['status', 'chains', 'chip 1 7', 'temps', 'fans', 'power', 'pools', 'events -n 20', 'logs -n 20', 'config show', 'config validate', 'net', 'help', 'why', 'ota status'];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`console bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Lat {
  samples: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export async function benchConsole(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const runs = o.smoke ? 5 : 40;
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-bench-console-'));
  const procs: ChildProcess[] = [];
  try {
    const data = join(dir, 'data');
    mkdirSync(data);
    const port = await freePort();
    const cfg = join(dir, 'config.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        version: 1,
        device: { id: 'bench-m1' },
        mining: { enabled: true },
        pools: [{ name: 'p', url: `stratum+tcp://127.0.0.1:${port}`, user: 'w.1', password: 'x' }],
        hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 2, pow: 'scrypt-sim', transport: 'stream' } },
        testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 4096 },
        api: { http: { enabled: false }, cgminer: { enabled: false } },
      }),
    );
    const logFile = join(dir, 'daemon.log');
    const fd = openSync(logFile, 'a');
    procs.push(spawn(process.execPath, [bin, 'run', '--config', cfg, '--data-dir', data], { stdio: ['ignore', fd, fd] }));
    closeSync(fd);
    const sock = join(data, 'kabosu.sock');
    await until('the daemon mining', async () => ((await localRequest<{ state: string }>(sock, 'GET', '/v1/status').catch(() => null))?.state ?? '') === 'mining', 90_000);

    const uart = join(dir, 'uart');
    const socat = spawn('socat', ['STDIO', `PTY,link=${uart},rawer`], { stdio: ['pipe', 'pipe', 'ignore'] });
    procs.push(socat);
    let screen = '';
    socat.stdout!.on('data', (d) => (screen += d.toString('latin1')));
    await until('the PTY', () => existsSync(uart), 10_000);
    procs.push(spawn(process.execPath, [bin, 'console', '--tty', uart, '--config', cfg, '--data-dir', data, '--log-file', logFile, '--term', 'dumb'], { stdio: ['ignore', 'ignore', 'ignore'] }));
    const send = (s: string) => socat.stdin!.write(s);
    await new Promise((r) => setTimeout(r, 1500));
    send('\r');
    await until('first-login prompt', () => screen.endsWith('new admin password: '), 20_000);
    send('bench-pw-123\r');
    await until('again', () => screen.endsWith('again: '), 10_000);
    send('bench-pw-123\r');
    await until('the prompt', () => screen.endsWith(PROMPT), 20_000);

    /** Resolves at the first chunk after which the screen ends with `tail` (no polling delay). */
    const seen = (tail: string, ms: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          socat.stdout!.off('data', on);
          reject(new Error(`console bench: no ${JSON.stringify(tail)} in ${ms} ms`));
        }, ms);
        const on = () => {
          if (!screen.endsWith(tail)) return;
          const at = performance.now();
          clearTimeout(t);
          socat.stdout!.off('data', on);
          resolve(at);
        };
        socat.stdout!.on('data', on);
      });
    const sample = async (cmd: string): Promise<number> => {
      screen = '';
      if (cmd) {
        const echoed = seen(cmd, 5000);
        send(cmd);
        await echoed;
      }
      screen = '';
      const prompt = seen(PROMPT, 30_000);
      const t0 = performance.now();
      send('\r');
      return (await prompt) - t0;
    };
    const measure = async (cmd: string): Promise<Lat> => {
      await sample(cmd); // warm-up
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) xs.push(await sample(cmd));
      return { samples: xs.length, p50_ms: pct(xs, 50), p99_ms: pct(xs, 99), max_ms: Math.max(...xs) };
    };
    const baseline = await measure('');
    const commands: Record<string, Lat> = {};
    for (const c of READ_ONLY) commands[c] = await measure(c);
    const diag = await measure('diag');
    const worst = Math.max(...Object.values(commands).map((l) => l.max_ms));
    const lines = Object.entries(commands).map(([k, v]) => `  ${k.padEnd(16)} p50 ${v.p50_ms.toFixed(1)} ms  p99 ${v.p99_ms.toFixed(1)} ms  max ${v.max_ms.toFixed(1)} ms  p50 ratio to baseline ${(v.p50_ms / baseline.p50_ms).toFixed(1)}`);
    return {
      table:
        `console prompt-back latency, daemon mining (simulated L3+), ${runs} samples each, PTY at the shell's end\n` +
        `  ${'(empty line)'.padEnd(16)} p50 ${baseline.p50_ms.toFixed(1)} ms  p99 ${baseline.p99_ms.toFixed(1)} ms  max ${baseline.max_ms.toFixed(1)} ms  (baseline)\n` +
        lines.join('\n') +
        `\n  worst read-only max ${worst.toFixed(1)} ms (target < 100 ms): ${worst < 100 ? 'met' : 'NOT met'}\n` +
        `  diag (the daemon's diagnostics run, progress dots): p50 ${diag.p50_ms.toFixed(1)} ms  max ${diag.max_ms.toFixed(1)} ms\n`,
      result: { runs, target_ms: 100, met: worst < 100, worst_max_ms: worst, baseline, commands, diag },
    };
  } finally {
    for (const p of procs.reverse()) p.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
