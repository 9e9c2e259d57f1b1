import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyOverrides, envOverrides } from '../../../src/config/envOverrides';
import { checkConfigText } from '../../../src/config/load';
import { ConfigInvalidError } from '../../../src/config/issues';
import { ConfigError } from '../../../src/core/errors';

test('variables map to schema paths and are coerced to the field type', () => {
  const o = envOverrides({
    KABOSU_CONFIG_THERMAL_TARGETC: '70',
    KABOSU_CONFIG_THERMAL_FAN_MIN_DUTY: '20',
    KABOSU_CONFIG_MINING_ENABLED: 'yes',
    KABOSU_CONFIG_API_CGMINER_ALLOW: '["10.0.0.0/8"]',
    KABOSU_CONFIG_LOGGING_LEVELS: '{"chips":"debug"}',
    KABOSU_CONFIG_POOLS_0_URL: 'stratum+tcp://p:1',
    PATH: '/bin',
  });
  const byVar = Object.fromEntries(o.map((x) => [x.variable, x]));
  assert.equal(byVar.KABOSU_CONFIG_THERMAL_TARGETC.path, ['thermal', 'targetC']);
  assert.is(byVar.KABOSU_CONFIG_THERMAL_TARGETC.value, 70);
  assert.equal(byVar.KABOSU_CONFIG_THERMAL_FAN_MIN_DUTY.path, ['thermal', 'fan', 'minDuty']);
  assert.is(byVar.KABOSU_CONFIG_MINING_ENABLED.value, true);
  assert.equal(byVar.KABOSU_CONFIG_API_CGMINER_ALLOW.value, ['10.0.0.0/8']);
  assert.equal(byVar.KABOSU_CONFIG_LOGGING_LEVELS.value, { chips: 'debug' });
  assert.equal(byVar.KABOSU_CONFIG_POOLS_0_URL.path, ['pools', 0, 'url']);
  assert.is(o.length, 6);
});

test('a variable naming no field, or a value of the wrong type, is a ConfigError naming the variable', () => {
  assert.throws(() => envOverrides({ KABOSU_CONFIG_THERMAL_NOPE: '1' }), (e: unknown) => e instanceof ConfigError && (e as Error).message.includes('KABOSU_CONFIG_THERMAL_NOPE'));
  assert.throws(() => envOverrides({ KABOSU_CONFIG_THERMAL_TARGETC: 'warm' }), (e: unknown) => e instanceof ConfigError && (e as Error).message.includes('a number'));
  assert.throws(() => envOverrides({ KABOSU_CONFIG_MINING_ENABLED: 'maybe' }), (e: unknown) => e instanceof ConfigError);
  assert.throws(() => envOverrides({ KABOSU_CONFIG_THERMAL: '{}' }), (e: unknown) => e instanceof ConfigError);
});

test('a secret is refused from the environment and accepted from a _FILE', () => {
  assert.throws(() => envOverrides({ KABOSU_CONFIG_POOLS_0_PASSWORD: 'pw' }), (e: unknown) => (e as ConfigError).code === 'KBS_E_CONFIG_ENV_SECRET' && !(e as Error).message.includes('pw '));
  const o = envOverrides({ KABOSU_CONFIG_API_HTTP_TOKEN_FILE: '/run/secret' }, (p) => (p === '/run/secret' ? 'tok\n' : ''));
  assert.equal(o, [{ variable: 'KABOSU_CONFIG_API_HTTP_TOKEN_FILE', path: ['api', 'http', 'token'], value: 'tok' }]);
  assert.throws(() => envOverrides({ KABOSU_CONFIG_API_HTTP_TOKEN_FILE: '/nonexistent/x' }), (e: unknown) => e instanceof ConfigError);
});

test('overrides are applied on top of the file and creates missing parents', () => {
  const { data, sources } = applyOverrides({ version: 1 }, [{ variable: 'V', path: ['pools', 0, 'url'], value: 'u' }]);
  assert.equal(data, { version: 1, pools: [{ url: 'u' }] });
  assert.is(sources.get('/pools/0/url'), 'V');
});

test('an override wins over the file, and an invalid override is reported against the variable', () => {
  const { config } = checkConfigText('{"version":1,"thermal":{"targetC":60}}', 'c.json', { KABOSU_CONFIG_THERMAL_TARGETC: '70' });
  assert.is(config.thermal.targetC, 70);
  try {
    checkConfigText('{"version":1}', 'c.json', { KABOSU_CONFIG_API_HTTP_PORT: '70000' });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ConfigInvalidError);
    assert.is((e as ConfigInvalidError).issues[0].source, 'env KABOSU_CONFIG_API_HTTP_PORT');
  }
});

test('a secret from a _FILE does not trigger the plaintext warning', () => {
  const { warnings, config } = checkConfigText('{"version":1}', 'c.json', { KABOSU_CONFIG_API_HTTP_TOKEN_FILE: __filename });
  assert.equal(warnings, []);
  assert.ok(config.api.http.token!.length > 0);
});

test.run();
