/**
 * `kabosu run --config FILE` against `kabosu sim run --pty --hal` (issue #5): three processes.
 * The firmware opens the simulator's PTYs with LinuxUart and powers/reset the chains through
 * the remote hal; it mines on a `kabosu pool` process. Asserts accepted shares (the pool's own
 * counters) and that `kabosu status --json` shows the chains with their chips.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';

const k = new KabosuProcs('kabosu-rrun-');
const { bin, dir, env } = k;
const start = (args: string[]) => k.start(args);

test.after(() => k.cleanup());

test('kabosu run (sim-remote) mines on kabosu pool through the PTYs and remote hal of kabosu sim', async () => {
  const sim = start(['sim', 'run', '--board', 'l3plus', '--seed', '4', '--pty', '--json', '--control', `unix:${join(dir, 'ctl.sock')}`, '--hal', `unix:${join(dir, 'hal.sock')}`]);
  const pool = start(['pool', '--port', '0', '--difficulty', '4096', '--block-interval', '600', '--job-interval', '600']);
  const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
  const poolUrl = (await pool.firstLine).trim();
  assert.is(info.ptys.length, 4);
  const cfgPath = join(dir, 'config.json');
  writeFileSync(
    cfgPath,
    JSON.stringify({
      version: 1,
      mining: { enabled: true },
      pools: [{ name: 'test', url: poolUrl, user: 'remote.worker' }],
      api: { http: { enabled: false }, cgminer: { enabled: false } },
      hashboards: { backend: 'sim-remote', model: 'l3plus', simRemote: { hal: info.hal, ptys: info.ptys, pow: 'scrypt-sim' } },
    }),
  );
  const dataDir = join(dir, 'data');
  const daemon = k.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
  await k.waitFor(/"msg":"share accepted"/, 40_000);
  const r = spawnSync(process.execPath, [bin, 'status', '--json', '--config', cfgPath, '--data-dir', dataDir], { cwd: dir, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { hashboards: { backend: string; simulated: boolean }; shares: { accepted: number }; chains: Array<{ chips_found: number }> };
  assert.is(s.hashboards.backend, 'sim-remote');
  assert.ok(s.hashboards.simulated);
  assert.ok(s.shares.accepted > 0);
  assert.equal(s.chains.map((c) => c.chips_found), [72, 72, 72, 72]);
  // The pool's own counters: stop it and read the stats line it prints.
  const poolStats = new Promise<string>((resolve) => {
    let o = '';
    pool.proc.stdout!.on('data', (c) => (o += String(c)));
    pool.proc.once('exit', () => resolve(o));
  });
  daemon.kill('SIGINT');
  await new Promise((res) => daemon.once('exit', res));
  pool.proc.kill('SIGTERM');
  const stats = JSON.parse((await poolStats).trim().split('\n').pop()!) as { accepted: number };
  assert.ok(stats.accepted >= s.shares.accepted, `pool accepted ${stats.accepted} < firmware's ${s.shares.accepted}`);
});

test.run();
