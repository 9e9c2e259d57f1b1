import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { decryptConfigSecrets, decryptSecret, encryptSecret, loadDeviceKey, redactConfig, sealIncomingSecrets, secretRedactPaths } from '../../../src/config/secrets';
import { validateConfigText } from '../../../src/config/validate';
import { ConfigError } from '../../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-secrets-'));

test('the device key is created once, 32 bytes, mode 0600, and reused', () => {
  const d = mkdtempSync(join(dir, 'k-'));
  const a = loadDeviceKey(d, { create: true });
  assert.is(a.key.length, 32);
  assert.is(statSync(a.path).mode & 0o777, 0o600);
  const b = loadDeviceKey(d, { create: true });
  assert.ok(a.key.equals(b.key));
});

test('a missing key is an error naming the file when not allowed to create it', () => {
  const d = mkdtempSync(join(dir, 'k-'));
  try {
    loadDeviceKey(d, { create: false });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.is((e as ConfigError).code, 'KBS_E_CONFIG_KEY_MISSING');
    assert.ok((e as Error).message.includes(join(d, 'device.key')));
  }
});

test('a key of the wrong size is an error naming the file', () => {
  const d = mkdtempSync(join(dir, 'k-'));
  writeFileSync(join(d, 'device.key'), 'short');
  assert.throws(() => loadDeviceKey(d, { create: true }), (e: unknown) => (e as ConfigError).code === 'KBS_E_CONFIG_KEY_INVALID' && (e as Error).message.includes('device.key'));
});

test('encrypt then decrypt round-trips, and each encryption differs (fresh IV)', () => {
  const key = loadDeviceKey(mkdtempSync(join(dir, 'k-')), { create: true });
  const a = encryptSecret('hunter2 ünï', key);
  const b = encryptSecret('hunter2 ünï', key);
  assert.ok(a.startsWith('enc:v1:'));
  assert.is.not(a, b);
  assert.not.ok(a.includes('hunter2'));
  assert.is(decryptSecret(a, key, 'x'), 'hunter2 ünï');
});

test('decrypting with another key or a tampered value fails with a clear error, never garbage', () => {
  const k1 = loadDeviceKey(mkdtempSync(join(dir, 'k-')), { create: true });
  const k2 = loadDeviceKey(mkdtempSync(join(dir, 'k-')), { create: true });
  const v = encryptSecret('pw', k1);
  assert.throws(() => decryptSecret(v, k2, 'c.json /pools/0/password'), (e: unknown) => (e as ConfigError).code === 'KBS_E_CONFIG_SECRET_DECRYPT' && (e as Error).message.includes('/pools/0/password') && (e as ConfigError).hint!.includes(k2.path));
  const raw = Buffer.from(v.slice(7), 'base64');
  for (let i = 0; i < raw.length; i++) {
    const t = Buffer.from(raw);
    t[i] ^= 0x80;
    assert.throws(() => decryptSecret('enc:v1:' + t.toString('base64'), k1, 'x'), (e: unknown) => e instanceof ConfigError, `byte ${i}`);
  }
  for (const bad of ['enc:v1:', 'enc:v1:!!!', 'enc:v1:AAAA', 'plain']) assert.throws(() => decryptSecret(bad, k1, 'x'), (e: unknown) => e instanceof ConfigError);
});

test('decryptConfigSecrets decrypts every secret field and leaves the input untouched', () => {
  const key = loadDeviceKey(mkdtempSync(join(dir, 'k-')), { create: true });
  const text = JSON.stringify({
    version: 1,
    pools: [{ name: 'a', url: 'stratum+tcp://h:1', user: 'u', password: encryptSecret('p0', key) }, { name: 'b', url: 'stratum+tcp://h:2', user: 'u', password: 'plain' }],
    api: { http: { token: encryptSecret('tok', key) } },
  });
  const { config } = validateConfigText(text, 'c');
  const plain = decryptConfigSecrets(config, () => key, 'c');
  assert.is(plain.pools[0].password, 'p0');
  assert.is(plain.pools[1].password, 'plain');
  assert.is(plain.api.http.token, 'tok');
  assert.ok(config.pools[0].password.startsWith('enc:v1:'));
});

test('no key is needed when there is nothing encrypted', () => {
  const { config } = validateConfigText('{"version":1}', 'c');
  decryptConfigSecrets(config, () => {
    throw new Error('key must not be loaded');
  }, 'c');
});

test('redactConfig replaces every secret with *** and nothing else', () => {
  const { config } = validateConfigText('{"version":1,"pools":[{"name":"a","url":"stratum+tcp://h:1","user":"u","password":"pw"}],"telemetry":{"mqtt":{"password":"mq"}},"api":{"cgminer":{"token":"t"}}}', 'c');
  const r = redactConfig(config);
  assert.is(r.pools[0].password, '***');
  assert.is(r.telemetry.mqtt.password, '***');
  assert.is(r.api.cgminer.token, '***');
  assert.is(r.api.http.token, undefined);
  assert.is(r.pools[0].user, 'u');
  assert.is(config.pools[0].password, 'pw');
});

test('GET then PUT round-trips a secret the schema defaulted (a pool password left to its default x)', () => {
  const file = { version: 1, pools: [{ name: 'main', url: 'stratum+tcp://127.0.0.1:3333', user: 'w.1' }] };
  const running = validateConfigText(JSON.stringify(file), 'c.json').config; // defaults applied: password 'x'
  const shown = redactConfig(running) as typeof running;
  assert.is(shown.pools[0].password, '***');
  const noKey = () => {
    throw new Error('no key needed');
  };
  const sealed = sealIncomingSecrets(shown, file, noKey) as typeof running;
  assert.is(sealed.pools[0].password, undefined, 'left to the schema default');
  assert.is(validateConfigText(JSON.stringify(sealed), 'c.json').config.pools[0].password, 'x');
  // a secret with no default and nothing stored is still refused
  const api = { ...shown, api: { ...shown.api, http: { ...shown.api.http, token: '***' } } };
  assert.throws(() => sealIncomingSecrets(api, file, noKey), /api\/http\/token was sent as "\*\*\*" but no value is stored/);
});

test('the pino redact paths cover each secret field at top level and under config/previous', () => {
  const p = secretRedactPaths();
  for (const x of ['pools[*].password', 'telemetry.mqtt.password', 'api.http.token', 'api.cgminer.token', 'config.pools[*].password', 'previous.api.http.token']) assert.ok(p.includes(x), x);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
