/**
 * `npm start` switched to Stratum V2 with one config line: the embedded defaults (free ports
 * instead of the fixed ones), with only `pools[0].url` changed to the embedded test pool's V2
 * listener and its public development authority key. The firmware must open an SV2 channel and
 * get shares accepted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { devConfig } from '../../src/app/devConfig';
import { DEV_AUTHORITY_KEY } from '../../src/pool';

const bin = join(__dirname, '../../bin/kabosu.js');
const cwd = mkdtempSync(join(tmpdir(), 'kabosu-start-v2-'));
const dataDir = join(cwd, '.kabosu');
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
let daemon: ChildProcess;
let out = '';

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
    const tick = setInterval(() => { if (re.test(out)) { clearTimeout(deadline); clearInterval(tick); resolve(); } }, 50);
    const deadline = setTimeout(() => { clearInterval(tick); reject(new Error(`no ${re} within ${ms} ms:\n${out.slice(-3000)}`)); }, ms);
  });
}

test.after(() => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
  rmSync(cwd, { recursive: true, force: true });
});

test('npm start with the one pools[0].url line changed to stratum2+tcp://: an SV2 channel opens and shares are accepted', async () => {
  type Cfg = { pools: { url: string }[]; testPool: { port: number; v2Port: number }; telemetry: { mqtt: { url: string; broker: { port: number } } }; api: { http: { port: number }; cgminer: { port: number } } };
  const cfg = devConfig() as unknown as Cfg;
  assert.ok(cfg.testPool.v2Port > 0, 'the embedded defaults serve V2');
  cfg.testPool.port = await freePort();
  cfg.testPool.v2Port = await freePort();
  cfg.pools[0].url = `stratum2+tcp://127.0.0.1:${cfg.testPool.v2Port}/${DEV_AUTHORITY_KEY}`; // the one line
  const mqttPort = await freePort();
  cfg.telemetry.mqtt.url = `mqtt://127.0.0.1:${mqttPort}`;
  cfg.telemetry.mqtt.broker.port = mqttPort;
  cfg.api.http.port = await freePort();
  cfg.api.cgminer.port = await freePort();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify(cfg, null, 2));
  daemon = spawn(process.execPath, [bin, 'run', '--dev'], { cwd, env });
  daemon.stdout!.setEncoding('utf8');
  daemon.stderr!.setEncoding('utf8');
  daemon.stdout!.on('data', (d: string) => (out += d));
  daemon.stderr!.on('data', (d: string) => (out += d));
  await waitFor(/SV2 standard channel open/, 30_000);
  await waitFor(/"msg":"share accepted"/, 45_000);
  assert.not.match(out, /authority check failed/);
  daemon.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => daemon.once('exit', (c) => resolve(c)));
  assert.is(code, 0);
});

test.run();
