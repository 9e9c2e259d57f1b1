import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';
import { until } from '../helpers/until';

/**
 * Config upload against the daemon as a process: a temp file a killed writer left behind is
 * removed at start (the config stays the last good copy), and a body nested 100,000 deep is a
 * 400 with a clear message that leaves the daemon serving and accepting the next valid upload.
 */
const k = new KabosuProcs('kabosu-upload-');
const cfgPath = join(k.dir, 'config.json');
const dataDir = join(k.dir, 'data');
const TOKEN = 'upload-token-Qw3';
let base = '';
let goodConfig = '';
// A pid no process has any more: a writer that was killed.
const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
const staleConfigTemp = join(k.dir, `.config.json.${deadPid}.0badc0de.tmp`);
const staleDataTemp = join(dataDir, `.history.json.${deadPid}.12345678.tmp`);

async function put(raw: string): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}/api/v1/config`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: raw });
  const text = await r.text();
  return { status: r.status, json: JSON.parse(text) };
}

test.before(async () => {
  const httpPort = await freePort();
  base = `http://127.0.0.1:${httpPort}`;
  writeFileSync(cfgPath, JSON.stringify({
    version: 1,
    device: { id: 'upload-test', name: 'first' },
    mining: { enabled: false },
    pools: [{ name: 'main', url: 'stratum+tcp://127.0.0.1:9', user: 'w.1' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 3, pow: 'scrypt-sim', transport: 'stream' } },
    testPool: { enabled: false },
    api: { http: { enabled: true, host: '127.0.0.1', port: httpPort }, cgminer: { enabled: false } },
    logging: { level: 'info' },
  }, null, 2));
  for (const [path, value] of [['api/http/token', TOKEN], ['pools/0/password', 'x']]) {
    const r = spawnSync(process.execPath, [k.bin, 'config', 'set-secret', path, '--config', cfgPath, '--data-dir', dataDir], { input: value + '\n', encoding: 'utf8', env: k.env });
    assert.is(r.status, 0, r.stderr);
  }
  goodConfig = readFileSync(cfgPath, 'utf8');
  // What a writer killed between writing its temp file and renaming it leaves behind.
  writeFileSync(staleConfigTemp, goodConfig.slice(0, 40));
  writeFileSync(staleDataTemp, '{"torn":');
  k.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
  await k.waitFor(/HTTP API listening/, 30_000);
});

test.after(() => k.cleanup());

test('temp files a killed writer left are removed at start; the config is the last good copy', () => {
  assert.not.ok(existsSync(staleConfigTemp), 'stale config temp removed');
  assert.not.ok(existsSync(staleDataTemp), 'stale data-dir temp removed');
  assert.is(readFileSync(cfgPath, 'utf8'), goodConfig);
  assert.match(k.daemonOut, /"msg":"removed temp files of an interrupted write"/);
  assert.match(k.daemonOut, /"device":"upload-test"/);
});

test('a config nested 100,000 deep is a 400 with a clear message; the daemon serves on and takes the next upload', async () => {
  const deep = `{"version":1,"device":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const r = await put(deep);
  assert.is(r.status, 400, JSON.stringify(r.json));
  assert.is(r.json.code, 'KBS_E_API_BAD_JSON');
  assert.match(r.json.error, /nests deeper than \d+ levels/);
  const objects = await put(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`);
  assert.is(objects.status, 400);
  assert.is(readFileSync(cfgPath, 'utf8'), goodConfig, 'config untouched');
  assert.is((await fetch(`${base}/healthz`)).status, 200);
  const cfg = (await (await fetch(`${base}/api/v1/config`)).json()) as Record<string, any>;
  const ok = await put(JSON.stringify({ ...cfg, device: { ...cfg.device, name: 'second' } }));
  assert.is(ok.status, 200, JSON.stringify(ok.json));
  await until('config file rewritten', () => readFileSync(cfgPath, 'utf8').includes('"second"'), 10_000);
  assert.equal(readdirSync(k.dir).filter((n) => n.endsWith('.tmp')), []);
  assert.not.match(k.daemonOut, /http handler failed/);
});

test.run();
