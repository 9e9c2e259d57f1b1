import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devConfig } from '../../src/app/devConfig';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';
import { duplicateTopLevelKeys } from '../helpers/jsonKeys';

/**
 * The `--dev` daemon (what `npm start` runs) as a process in a temp cwd, on free ports:
 * `kabosu status` without `--dev` finds it and says which daemon answered, and every JSON log
 * line it prints has each top-level key once (a child logger's binding is not repeated).
 */
const k = new KabosuProcs('kabosu-devd-');
const dataDir = join(k.dir, '.kabosu');

function kabosu(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [k.bin, ...args], { encoding: 'utf8', cwd: k.dir, env: k.env });
}

test.before(async () => {
  const cfg = devConfig() as Record<string, any>;
  const poolPort = await freePort();
  const mqttPort = await freePort();
  cfg.testPool.port = poolPort;
  cfg.pools[0].url = `stratum+tcp://127.0.0.1:${poolPort}`;
  cfg.telemetry.mqtt.url = `mqtt://127.0.0.1:${mqttPort}`;
  cfg.telemetry.mqtt.broker.port = mqttPort;
  cfg.api.http.port = await freePort();
  cfg.api.cgminer.port = await freePort();
  cfg.logging = { level: 'debug' };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify(cfg, null, 2));
  k.daemon(['run', '--dev']);
  await k.waitFor(/"msg":"share accepted"/, 60_000);
});

test.after(() => k.cleanup());

test('kabosu status without --dev finds the dev daemon when no system daemon runs, and names it', () => {
  const human = kabosu(['status']);
  assert.is(human.status, 0, human.stderr);
  assert.match(human.stdout.split('\n')[0], /^daemon: dev .* at .*\.kabosu\/kabosu\.sock$/);
  assert.match(human.stdout, /kabosu .* on kabosu-dev/);
  const json = kabosu(['status', '--json']);
  assert.is(json.status, 0, json.stderr);
  const s = JSON.parse(json.stdout);
  assert.equal(s.daemon, { socket: join(dataDir, 'kabosu.sock'), dev: true });
  assert.is(s.device_id, 'kabosu-dev');
});

test('kabosu status names every socket it tried when none answers', () => {
  const r = spawnSync(process.execPath, [k.bin, 'status'], { encoding: 'utf8', cwd: join(k.dir, '..'), env: k.env });
  assert.is.not(r.status, 0);
  assert.match(r.stderr, /no kabosu daemon is running/);
  assert.match(r.stderr, /\/var\/lib\/kabosu\/kabosu\.sock or /);
});

test('no log line of a running daemon carries the same key twice', async () => {
  await k.waitFor(/"msg":"chain mining"/, 30_000);
  const lines = k.daemonOut.split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines.length > 20, `only ${lines.length} JSON log lines`);
  const bad = lines.map((l) => ({ l, dup: duplicateTopLevelKeys(l) })).filter((x) => x.dup.length > 0);
  assert.equal(bad.map((x) => `${x.dup.join(',')}: ${x.l.slice(0, 300)}`), []);
});

test.run();
