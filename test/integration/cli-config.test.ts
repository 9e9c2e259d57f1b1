import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-cli-config-'));
const env = { ...process.env, KABOSU_CONFIG: undefined, KABOSU_DATA_DIR: undefined, KABOSU_DEBUG: undefined } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_CONFIG_')) delete env[k];

function kabosu(args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input: o.input ?? '', cwd: dir, env: { ...env, ...o.env } });
}

function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const noStack = (s: string) => !/\n\s+at .+:\d+:\d+/.test(s);
const POOL = { name: 'main', url: 'stratum+tcp://pool.example:3333', user: 'me.w1' };

test('validate: a valid file prints ok and exits 0', () => {
  const r = kabosu(['config', 'validate', file('ok.json', JSON.stringify({ version: 1, mining: { enabled: true }, pools: [POOL] }))]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'ok\n');
});

test('validate: every problem is printed with line, column, expected, found and hint; exit 2, no stack', () => {
  const p = file('bad.json', '{\n  "version": 1,\n  "thermal": {"targetC": "warm", "fan": {"mixDuty": 5}},\n  "api": {"http": {"port": 99999}},\n  "pols": []\n}\n');
  const r = kabosu(['config', 'validate', p]);
  assert.is(r.status, 2);
  assert.ok(noStack(r.stderr), r.stderr);
  for (const want of [`${p}:3:26 /thermal/targetC`, `${p}:3:42 /thermal/fan/mixDuty`, `${p}:4:28 /api/http/port`, `${p}:5:3 /pols`, 'did you mean "minDuty"?', 'did you mean "pools"?', 'expected: number', 'found:    string "warm"', '4 problems']) {
    assert.ok(r.stderr.includes(want), `missing ${want} in\n${r.stderr}`);
  }
});

test('validate: cross-field rules are reported with position, exit 2', () => {
  const p = file('rules.json', '{"version": 1,\n "thermal": {"targetC": 80, "hotC": 80},\n "mining": {"enabled": true}}');
  const r = kabosu(['config', 'validate', p]);
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes(`${p}:2:25 /thermal/targetC: targetC must be below hotC`), r.stderr);
  assert.ok(r.stderr.includes('mining is enabled but no pool'), r.stderr);
});

test("validate: a thermal limit past the board's hard limit is refused (115 C on the 85 C L3+), lower ones pass", () => {
  const hot = file('hot.json', JSON.stringify({ version: 1, hashboards: { model: 'l3plus' }, thermal: { dangerousC: 115 }, mining: { enabled: true }, pools: [POOL] }));
  const r = kabosu(['config', 'validate', hot]);
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes("/thermal/dangerousC: dangerousC is above the l3plus board's hard limit"), r.stderr);
  assert.ok(r.stderr.includes('at most 85'), r.stderr);
  const cool = file('cool.json', JSON.stringify({ version: 1, hashboards: { model: 'l3plus' }, thermal: { dangerousC: 82, hotC: 75, targetC: 60 }, mining: { enabled: true }, pools: [POOL] }));
  assert.is(kabosu(['config', 'validate', cool]).status, 0);
});

test('validate: non-JSON, an empty file, a missing file and a directory are each one clear message, exit 2', () => {
  const cases: Array<[string, string]> = [
    [file('syntax.json', '{"version": 1,,}'), 'not valid JSON'],
    [file('empty.json', ''), 'the file is empty'],
    [join(dir, 'missing.json'), 'does not exist'],
    [dir, 'is a directory'],
  ];
  for (const [p, want] of cases) {
    const r = kabosu(['config', 'validate', p]);
    assert.is(r.status, 2, p);
    assert.ok(r.stderr.includes(want), r.stderr);
    assert.ok(r.stderr.startsWith('error KBS_E_CONFIG_'), r.stderr);
    assert.ok(noStack(r.stderr));
  }
});

test('validate: no FILE is a usage error, exit 2', () => {
  const r = kabosu(['config', 'validate']);
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes('KBS_E_CLI_USAGE'));
});

test('set-secret reads stdin, stores enc:v1 keeping the rest of the file, creates the key 0600; show redacts; the key decrypts', () => {
  const original = `{\n  // my miner\n  "version": 1,\n  "mining": { "enabled": true },\n  "pools": [\n    { "name": "main", "url": "stratum+tcp://pool.example:3333", "user": "me.w1" }\n  ]\n}\n`;
  const p = file('secret.json', original);
  const data = join(dir, 'data-secret');
  const r = kabosu(['config', 'set-secret', 'pools/0/password', '--config', p, '--data-dir', data], { input: 'PLANTED-hunter2\n' });
  assert.is(r.status, 0, r.stderr);
  assert.not.ok((r.stdout + r.stderr).includes('PLANTED'));
  const after = readFileSync(p, 'utf8');
  assert.not.ok(after.includes('PLANTED'));
  assert.ok(after.includes('// my miner'), 'comments and formatting are kept');
  assert.ok(/"password": "enc:v1:[A-Za-z0-9+/=]+"/.test(after), after);
  assert.is(statSync(join(data, 'device.key')).mode & 0o777, 0o600);
  assert.is(statSync(data).mode & 0o777, 0o700);

  const v = kabosu(['config', 'validate', p]);
  assert.is(v.status, 0, v.stderr);
  assert.is(v.stderr, '', 'no plaintext warning once encrypted');

  const s = kabosu(['config', 'show', '--config', p]);
  assert.is(s.status, 0, s.stderr);
  const shown = JSON.parse(s.stdout);
  assert.is(shown.pools[0].password, '***');
  assert.is(shown.thermal.targetC, 75, 'defaults applied');
  assert.not.ok(s.stdout.includes('enc:v1') || s.stdout.includes('PLANTED'));

  // The daemon's loader decrypts it with the key in the data dir.
  const { loadConfig } = require('../../src/config/load') as typeof import('../../src/config/load');
  return loadConfig({ configPath: p, dataDir: data, env: {} }).then((l) => assert.is(l.config.pools[0].password, 'PLANTED-hunter2'));
});

test('set-secret refuses a non-secret path, an absent parent and empty stdin, exit 2, file untouched', () => {
  const p = file('refuse.json', JSON.stringify({ version: 1 }));
  const before = readFileSync(p, 'utf8');
  const data = join(dir, 'data-refuse');
  for (const [args, input, want] of [
    [['device/id'], 'x', 'not a secret field'],
    [['pools/3/password'], 'x', 'does not exist'],
    [['api/http/token'], '', 'no secret on stdin'],
  ] as Array<[string[], string, string]>) {
    const r = kabosu(['config', 'set-secret', ...args, '--config', p, '--data-dir', data], { input });
    assert.is(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(want), r.stderr);
  }
  assert.is(readFileSync(p, 'utf8'), before);
});

test('a plaintext secret validates with a warning naming the set-secret command', () => {
  const p = file('plain.json', JSON.stringify({ version: 1, pools: [{ ...POOL, password: 'PLANTED-plain' }] }, null, 2));
  const r = kabosu(['config', 'validate', p]);
  assert.is(r.status, 0);
  assert.ok(r.stderr.includes('KBS_W_001'));
  assert.ok(r.stderr.includes(`kabosu config set-secret pools/0/password --config ${p}`));
  assert.not.ok(r.stderr.includes('PLANTED'));
});

test('show --annotate marks sections reloadable or needing a restart; env overrides show through', () => {
  const p = file('annotate.json', JSON.stringify({ version: 1 }));
  const r = kabosu(['config', 'show', '--annotate'], { env: { KABOSU_CONFIG: p, KABOSU_CONFIG_THERMAL_TARGETC: '66' } });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('// thermal: reloadable'));
  assert.ok(r.stdout.includes('// hashboards: needs a restart'));
  assert.ok(r.stdout.includes('"targetC": 66'));
});

test('show with a data dir it cannot create, or a bad env override, exits 2 with one message', () => {
  const p = file('env.json', JSON.stringify({ version: 1 }));
  const r = kabosu(['config', 'show', '--config', p], { env: { KABOSU_CONFIG_API_HTTP_TOKEN: 'PLANTED-env' } });
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes('KBS_E_CONFIG_ENV_SECRET'));
  assert.not.ok(r.stderr.includes('PLANTED'));
  const blocker = file('blocker', 'x');
  mkdirSync(join(dir, 'ok-dir'), { recursive: true });
  const s = kabosu(['config', 'set-secret', 'api/http/token', '--config', p, '--data-dir', join(blocker, 'sub')], { input: 'x' });
  assert.is(s.status, 2);
  assert.ok(s.stderr.includes('KBS_E_CONFIG_DATA_DIR'), s.stderr);
});

test('a data dir without permission and an unreadable config are each one clear message, exit 2', () => {
  // As root, run the CLI as nobody (65534) so permissions apply; otherwise as ourselves.
  const asRoot = process.getuid?.() === 0;
  const open = join(dir, 'perm');
  mkdirSync(open, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const locked = join(open, 'locked');
  mkdirSync(locked, { mode: 0o700 });
  if (!asRoot) chmodSync(locked, 0o500);
  const cfg = join(open, 'c.json');
  writeFileSync(cfg, '{"version":1}', { mode: 0o644 });
  const run = (args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input: 'x', cwd: open, env: { ...env, HOME: open }, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
  const r = run(['config', 'set-secret', 'api/http/token', '--config', cfg, '--data-dir', join(locked, 'data')]);
  assert.is(r.status, 2, r.stderr);
  assert.ok(r.stderr.includes(`KBS_E_CONFIG_DATA_DIR: data directory ${join(locked, 'data')} cannot be used: permission denied`), r.stderr);
  assert.ok(noStack(r.stderr));
  chmodSync(cfg, asRoot ? 0o600 : 0o000);
  const v = run(['config', 'validate', cfg]);
  assert.is(v.status, 2, v.stderr);
  assert.ok(v.stderr.includes('is not readable by this user'), v.stderr);
  chmodSync(locked, 0o700);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
