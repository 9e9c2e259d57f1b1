/**
 * The V2 twin of e2eScrypt.test.ts (issue 21): the same real-scrypt end to end, with `kabosu pool
 * --v2` (Noise NX, the authority key in the stratum2+tcp:// URL it prints, one standard channel).
 * The pool verifies each share with real scrypt; its counters must show accepted shares and no
 * rejects. Budget 110 s instead of 55: a standard channel is header-only, so the four simulated
 * chains hash the same header and about 3 of 4 real-scrypt nonces are local duplicates
 * (docs/stratum.md "Limits"), and the simulator's real scrypt is CPU-bound.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';

const k = new KabosuProcs('kabosu-e2e-v2-');
const { dir } = k;
const start = (args: string[]) => k.start(args);

test.after(() => k.cleanup());

test('real scrypt end to end over Stratum V2: the SV2 test pool verifies and accepts real scrypt shares from the simulated chips', async () => {
  const sim = start(['sim', 'run', '--board', 'l3plus', '--seed', '6', '--pty', '--pow', 'scrypt', '--json', '--control', `unix:${join(dir, 'ctl.sock')}`, '--hal', `unix:${join(dir, 'hal.sock')}`]);
  const pool = start(['pool', '--port', '0', '--pow', 'scrypt', '--difficulty', '0.5', '--vardiff', '0', '--block-interval', '600', '--job-interval', '600', '--v2']);
  const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
  const poolUrl = (await pool.firstLine).trim();
  assert.match(poolUrl, /^stratum2\+tcp:\/\/127\.0\.0\.1:\d+\/[1-9A-HJ-NP-Za-km-z]{50,}$/);
  const cfgPath = join(dir, 'config.json');
  writeFileSync(
    cfgPath,
    JSON.stringify({
      version: 1,
      mining: { enabled: true },
      pools: [{ name: 'scrypt-v2', url: poolUrl, user: 'e2e.worker' }],
      api: { http: { enabled: false }, cgminer: { enabled: false } },
      hashboards: { backend: 'sim-remote', model: 'l3plus', simRemote: { hal: info.hal, ptys: info.ptys, pow: 'scrypt' } },
    }),
  );
  const daemon = k.daemon(['run', '--config', cfgPath, '--data-dir', join(dir, 'data')]);
  await k.waitFor(/SV2 standard channel open/, 30_000);
  await k.waitFor(/"msg":"share accepted"/, 110_000);
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
  assert.match(k.daemonOut, /"ticket":1\b/, 'chains run at the chips\' minimum ticket, difficulty 1');
});

test.run();
