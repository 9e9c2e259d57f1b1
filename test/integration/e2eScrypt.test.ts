import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * End to end in real `scrypt` mode (issue 5): the simulator's chips compute real scrypt
 * (`kabosu sim run --pow scrypt --scrypt-hps N`, native SIMD scrypt off its event loop) and
 * return nonces at ticket difficulty 1 (2^16 hashes each); the firmware, in its own process,
 * verifies them with real scrypt and submits them; the test pool (`--pow scrypt`) verifies
 * every share with real scrypt. Pool difficulty is below 1, so every ticket nonce is a share.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-e2e-'));
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
const procs: ChildProcess[] = [];
const outs = new Map<ChildProcess, string>();
const HPS = 4096; // per chain: 4 chains ~ one diff-1 nonce every 4 s

function start(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [bin, ...args], { env });
  outs.set(p, '');
  p.stdout!.setEncoding('utf8').on('data', (d: string) => outs.set(p, (outs.get(p) + d).slice(-500_000)));
  p.stderr!.setEncoding('utf8').on('data', (d: string) => outs.set(p, (outs.get(p) + d).slice(-500_000)));
  procs.push(p);
  return p;
}

function waitOut(p: ChildProcess, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = () => {
      const m = (outs.get(p) ?? '').match(re);
      if (m) return resolve(m);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${re}:\n${(outs.get(p) ?? '').slice(-3000)}`));
      setTimeout(check, 200);
    };
    check();
  });
}

test.after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('real scrypt from simulated chip to pool: the pool verifies and accepts real scrypt shares', async () => {
  const hal = `unix:${join(dir, 'hal.sock')}`;
  const sim = start(['sim', 'run', '--board', 'l3plus', '--seed', '9', '--pty', '--pow', 'scrypt', '--scrypt-hps', String(HPS), '--hal', hal, '--control', `unix:${join(dir, 'ctl.sock')}`]);
  await waitOut(sim, /hal unix:/, 30_000);
  const pool = start(['pool', '--port', '0', '--pow', 'scrypt', '--difficulty', '0.001', '--vardiff', '0']);
  const url = (await waitOut(pool, /stratum\+tcp:\/\/[0-9.]+:\d+/, 30_000))[0];
  const cfg = join(dir, 'config.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      version: 1,
      mining: { enabled: true },
      pools: [{ name: 'p', url, user: 'w.1', password: 'x' }],
      hashboards: { backend: 'sim-remote', model: 'l3plus', sim: { pow: 'scrypt', scryptHps: HPS }, simRemote: { hal } },
      api: { http: { enabled: false } },
      logging: { level: 'info' },
    }),
  );
  const fw = start(['run', '--config', cfg, '--data-dir', join(dir, 'data')]);
  // Three shares accepted by the pool (which checks each with real scrypt).
  const t0 = Date.now();
  let accepted = 0;
  while (accepted < 3 && Date.now() - t0 < 90_000) {
    accepted = ((outs.get(fw) ?? '').match(/"msg":"share accepted"/g) ?? []).length;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(accepted >= 3, `accepted ${accepted} in ${(Date.now() - t0) / 1000} s:\n${(outs.get(fw) ?? '').slice(-2000)}`);
  // The pool's own accounting, printed when it stops: real-scrypt shares accepted, none bad.
  pool.kill('SIGTERM');
  const statsLine = (await waitOut(pool, /\{"accepted".*\}|\{.*"accepted".*\}/, 10_000))[0];
  const stats = JSON.parse(statsLine) as { accepted: number; rejected: Record<string, number> };
  assert.ok(stats.accepted >= 3, statsLine);
  assert.is(stats.rejected.badNonce ?? 0, 0, `no share failed the pool's real scrypt check: ${statsLine}`);
  assert.is(stats.rejected.lowDifficulty ?? 0, 0, statsLine);
});

test.run();
