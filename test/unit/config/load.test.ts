import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, reloadLoader, resolveConfigPaths, DEFAULT_CONFIG_PATH, DEFAULT_DATA_DIR } from '../../../src/config/load';
import { encryptSecret, loadDeviceKey } from '../../../src/config/secrets';
import { ConfigInvalidError } from '../../../src/config/issues';
import { ConfigError } from '../../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-load-'));
const isRoot = process.getuid?.() === 0;

function setup(config: unknown): { configPath: string; dataDir: string } {
  const d = mkdtempSync(join(dir, 'c-'));
  const configPath = join(d, 'config.json');
  writeFileSync(configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return { configPath, dataDir: join(d, 'data') };
}

test('paths default to /etc/kabosu/config.json and /var/lib/kabosu, env then flags override', () => {
  assert.equal(resolveConfigPaths({ env: {}, cwd: '/x' }), { configPath: DEFAULT_CONFIG_PATH, dataDir: DEFAULT_DATA_DIR });
  assert.equal(resolveConfigPaths({ env: { KABOSU_CONFIG: 'a.json', KABOSU_DATA_DIR: 'd' }, cwd: '/x' }), { configPath: '/x/a.json', dataDir: '/x/d' });
  assert.equal(resolveConfigPaths({ configPath: '/c.json', dataDir: '/dd', env: { KABOSU_CONFIG: 'a.json', KABOSU_DATA_DIR: 'd' }, cwd: '/x' }), { configPath: '/c.json', dataDir: '/dd' });
});

test('loadConfig validates, creates the data dir 0700 and decrypts secrets in memory', async () => {
  const p = setup({ version: 1 });
  mkdirSync(p.dataDir, { mode: 0o700 });
  const key = loadDeviceKey(p.dataDir, { create: true });
  writeFileSync(p.configPath, JSON.stringify({ version: 1, mining: { enabled: true }, pools: [{ name: 'm', url: 'stratum+tcp://h:1', user: 'u', password: encryptSecret('s3', key) }] }));
  const r = await loadConfig({ ...p, env: {} });
  assert.is(r.config.pools[0].password, 's3');
  assert.equal(r.warnings, []);
  assert.is(r.configPath, p.configPath);
  assert.is(r.dataDir, p.dataDir);
});

test('a missing data dir is created with mode 0700', async () => {
  const p = setup({ version: 1 });
  await loadConfig({ ...p, env: {} });
  assert.ok(existsSync(p.dataDir));
  assert.is(statSync(p.dataDir).mode & 0o777, 0o700);
});

test('a data dir that is a file, or not writable, is one clear ConfigError', async () => {
  const p = setup({ version: 1 });
  writeFileSync(p.dataDir, 'file');
  try {
    await loadConfig({ ...p, env: {} });
    assert.unreachable();
  } catch (e) {
    assert.is((e as ConfigError).code, 'KBS_E_CONFIG_DATA_DIR');
    assert.ok((e as Error).message.includes(p.dataDir));
    assert.ok((e as ConfigError).hint!.includes('--data-dir'));
  }
  if (!isRoot) {
    const q = setup({ version: 1 });
    mkdirSync(q.dataDir, { mode: 0o500 });
    await loadConfig({ ...q, env: {} }).then(() => assert.unreachable(), (e) => assert.ok((e as Error).message.includes('permission denied')));
    chmodSync(q.dataDir, 0o700);
  }
});

test('a missing config file is one clear ConfigError with the path', async () => {
  const d = mkdtempSync(join(dir, 'm-'));
  await loadConfig({ configPath: join(d, 'none.json'), dataDir: d, env: {} }).then(
    () => assert.unreachable(),
    (e) => {
      assert.instance(e, ConfigError);
      assert.is(e.code, 'KBS_E_CONFIG_READ');
      assert.ok(e.message.includes('none.json'));
    },
  );
});

test('an encrypted secret with no device key names the key file', async () => {
  const p = setup({ version: 1 });
  const other = loadDeviceKey(mkdtempSync(join(dir, 'k-')), { create: true });
  writeFileSync(p.configPath, JSON.stringify({ version: 1, api: { http: { token: encryptSecret('t', other) } } }));
  await loadConfig({ ...p, env: {} }).then(
    () => assert.unreachable(),
    (e) => {
      assert.is(e.code, 'KBS_E_CONFIG_KEY_MISSING');
      assert.ok(e.message.includes(join(p.dataDir, 'device.key')));
    },
  );
});

test('an invalid file is a ConfigInvalidError carrying every issue', async () => {
  const p = setup('{"version":1,"thermal":{"hotC":200},"x":1}');
  await loadConfig({ ...p, env: {} }).then(
    () => assert.unreachable(),
    (e) => {
      assert.instance(e, ConfigInvalidError);
      assert.is(e.issues.length, 2);
    },
  );
});

test('env overrides apply through loadConfig', async () => {
  const p = setup({ version: 1 });
  const r = await loadConfig({ ...p, env: { KABOSU_CONFIG_DEVICE_ID: 'rig-7' } });
  assert.is(r.config.device.id, 'rig-7');
});

test('reloadLoader validates with the same env and decrypts secrets like loadConfig', () => {
  const p = setup({ version: 1 });
  mkdirSync(p.dataDir, { mode: 0o700 });
  const key = loadDeviceKey(p.dataDir, { create: true });
  const load = reloadLoader({ ...p, env: { KABOSU_CONFIG_DEVICE_ID: 'rig-9' } });
  const r = load(JSON.stringify({ version: 1, api: { http: { token: encryptSecret('tok', key) } } }));
  assert.is(r.config.api.http.token, 'tok');
  assert.is(r.config.device.id, 'rig-9');
  assert.throws(() => load('{"version":1,"x":1}'), (e: unknown) => e instanceof ConfigInvalidError);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
