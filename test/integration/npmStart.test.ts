import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { devConfig } from '../../src/app/devConfig';
import { callControl } from '../../src/sim';
import { duplicateTopLevelKeys } from '../helpers/jsonKeys';

/**
 * What `npm start` runs (`kabosu run --dev`): a simulated L3+ (scrypt-sim), the embedded test
 * pool and the firmware mining on it. Accepted shares within 30 s; the firmware's 1-minute
 * hashrate within 5% of the simulator's true hashrate (read from the simulator's control API,
 * which the firmware never calls). The embedded defaults are used with a free port.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const cwd = mkdtempSync(join(tmpdir(), 'kabosu-start-'));
const dataDir = join(cwd, '.kabosu');
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
let daemon: ChildProcess;
let out = '';
const t0 = Date.now();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function waitFor(re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms:\n${out.slice(-2000)}`)), ms);
    const check = (): void => {
      if (re.test(out)) {
        clearTimeout(deadline);
        daemon.stdout!.off('data', check);
        resolve();
      }
    };
    daemon.stdout!.on('data', check);
    check();
  });
}

test.before(async () => {
  const port = await freePort();
  const cfg = devConfig() as { pools: { url: string }[]; testPool: { port: number } };
  cfg.testPool.port = port;
  cfg.pools[0].url = `stratum+tcp://127.0.0.1:${port}`;
  (cfg.testPool as unknown as { v2Port: number }).v2Port = await freePort();
  const mqttPort = await freePort();
  const mq = (cfg as unknown as { telemetry: { mqtt: { url: string; broker: { port: number } } } }).telemetry.mqtt;
  mq.url = `mqtt://127.0.0.1:${mqttPort}`;
  mq.broker.port = mqttPort;
  (cfg as unknown as { api: { http: { port: number } } }).api.http.port = await freePort();
  (cfg as unknown as { api: { cgminer: { port: number } } }).api.cgminer.port = await freePort();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify(cfg, null, 2));
  daemon = spawn(process.execPath, [bin, 'run', '--dev'], { cwd, env });
  daemon.stdout!.setEncoding('utf8');
  daemon.stderr!.setEncoding('utf8');
  daemon.stdout!.on('data', (d: string) => (out += d));
  daemon.stderr!.on('data', (d: string) => (out += d));
});

test.after(() => {
  if (daemon.exitCode === null) daemon.kill('SIGKILL');
  rmSync(cwd, { recursive: true, force: true });
});

test('the log shows accepted shares within 30 s of start', async () => {
  await waitFor(/"msg":"share accepted"/, 30_000 - (Date.now() - t0));
});

test('after a full minute of mining the reported hashrate is within 5% of the simulator truth', async () => {
  await waitFor(/"msg":"chain mining"/, 1000);
  await new Promise((r) => setTimeout(r, 65_000));
  const r = spawnSync(process.execPath, [bin, 'status', '--json', '--dev'], { cwd, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  const truth = (await callControl(`unix:${join(dataDir, 'sim.sock')}`, 'GET', '/v1/state')).body as { hashrate_hps: number };
  const reported = s.hashrate.chips['1m'].hps;
  const rel = reported / truth.hashrate_hps - 1;
  assert.ok(Math.abs(rel) < 0.05, `reported ${reported.toExponential(4)} vs true ${truth.hashrate_hps.toExponential(4)} (${(rel * 100).toFixed(2)}%)`);
  assert.is(s.state, 'mining');
  assert.ok(s.shares.accepted > 0);
  assert.equal(Object.values(s.shares.rejected).reduce((a: number, b) => a + (b as number), 0), 0, JSON.stringify(s.shares));
  assert.equal(s.chains.map((c: { chips_found: number }) => c.chips_found), [72, 72, 72, 72]);
});

test('kabosu status without --dev finds the dev daemon npm start runs, and says which answered', () => {
  const human = spawnSync(process.execPath, [bin, 'status'], { cwd, env, encoding: 'utf8' });
  assert.is(human.status, 0, human.stderr);
  assert.is(human.stdout.split('\n')[0], `dev daemon (npm start) at ${join(dataDir, 'kabosu.sock')}`);
  const json = spawnSync(process.execPath, [bin, 'status', '--json'], { cwd, env, encoding: 'utf8' });
  assert.is(json.status, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).daemon, { socket: join(dataDir, 'kabosu.sock'), dev: true });
  // elsewhere (no ./.kabosu) neither daemon answers: one message naming both sockets
  const away = mkdtempSync(join(tmpdir(), 'kabosu-nodaemon-'));
  const none = spawnSync(process.execPath, [bin, 'status'], { cwd: away, env, encoding: 'utf8' });
  rmSync(away, { recursive: true, force: true });
  assert.is(none.status, 1);
  assert.match(none.stderr, /no kabosu daemon is running .* nor the dev daemon's at/);
});

test('no log line binds a field twice (e.g. "chain":0,"chain":0)', () => {
  const lines = out.split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines.length > 20, `${lines.length} JSON log lines`);
  const dup = lines.map((l) => [l, duplicateTopLevelKeys(l)] as const).filter(([, k]) => k.length > 0);
  assert.equal(dup.slice(0, 3).map(([l, k]) => `${k.join(',')} in ${l.slice(0, 200)}`), []);
});

test('SIGINT (Ctrl-C) stops it cleanly', async () => {
  daemon.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => daemon.once('exit', (c) => resolve(c)));
  assert.is(code, 0);
});

test.run();
