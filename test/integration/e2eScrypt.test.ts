/**
 * End to end in real `scrypt` mode (issue #5): `kabosu sim run --pow scrypt` (chips return real
 * scrypt nonces, hashed by the native batch scrypt off the sim's event loop), `kabosu pool --pow
 * scrypt` at a share difficulty below 1 (so every diff-1 ticket nonce is a share), and `kabosu
 * run` (sim-remote, pow scrypt). The pool verifies each share with real scrypt; its own counters
 * must show accepted shares and no rejects.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-e2e-'));
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
const procs: ChildProcess[] = [];
let daemonOut = '';

function start(args: string[]): { proc: ChildProcess; firstLine: Promise<string> } {
  const proc = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...env, KABOSU_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let err = '';
  proc.stderr!.on('data', (c) => (err += String(c)));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${err.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`${args[0]} printed nothing in 20 s: ${err.slice(-2000)}`)), 20000).unref();
  });
  return { proc, firstLine };
}

function waitFor(re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (re.test(daemonOut)) {
        clearInterval(t);
        clearTimeout(d);
        resolve();
      }
    }, 100);
    const d = setTimeout(() => {
      clearInterval(t);
      reject(new Error(`no ${re} within ${ms} ms:\n${daemonOut.slice(-3000)}`));
    }, ms);
  });
}

test.after(async () => {
  for (const p of procs.reverse()) {
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('real scrypt end to end: the test pool verifies and accepts real scrypt shares from the simulated chips', async () => {
  const sim = start(['sim', 'run', '--board', 'l3plus', '--seed', '6', '--pty', '--pow', 'scrypt', '--json', '--control', `unix:${join(dir, 'ctl.sock')}`, '--hal', `unix:${join(dir, 'hal.sock')}`]);
  const pool = start(['pool', '--port', '0', '--pow', 'scrypt', '--difficulty', '0.5', '--vardiff', '0', '--block-interval', '600', '--job-interval', '600']);
  const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
  const poolUrl = (await pool.firstLine).trim();
  const cfgPath = join(dir, 'config.json');
  writeFileSync(
    cfgPath,
    JSON.stringify({
      version: 1,
      mining: { enabled: true },
      pools: [{ name: 'scrypt', url: poolUrl, user: 'e2e.worker' }],
      api: { http: { enabled: false }, cgminer: { enabled: false } },
      hashboards: { backend: 'sim-remote', model: 'l3plus', simRemote: { hal: info.hal, ptys: info.ptys, pow: 'scrypt' } },
    }),
  );
  const daemon = spawn(process.execPath, [bin, 'run', '--config', cfgPath, '--data-dir', join(dir, 'data')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(daemon);
  daemon.stdout!.on('data', (d) => (daemonOut += String(d)));
  daemon.stderr!.on('data', (d) => (daemonOut += String(d)));
  await waitFor(/"msg":"share accepted"/, 55_000);
  const poolStats = new Promise<string>((resolve) => {
    let o = '';
    pool.proc.stdout!.on('data', (c) => (o += String(c)));
    pool.proc.once('exit', () => resolve(o));
  });
  daemon.kill('SIGINT');
  await new Promise((res) => daemon.once('exit', res));
  pool.proc.kill('SIGTERM');
  const stats = JSON.parse((await poolStats).trim().split('\n').pop()!) as { accepted: number; rejected: Record<string, number> };
  assert.ok(stats.accepted >= 1, `pool accepted ${stats.accepted}`);
  assert.equal(Object.values(stats.rejected).reduce((a, b) => a + b, 0), 0, JSON.stringify(stats.rejected));
  assert.match(daemonOut, /"ticket":1\b/, 'chains run at the chips\' minimum ticket, difficulty 1');
});

test.run();
