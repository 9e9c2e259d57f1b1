import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA, RELOADABLE_SECTIONS, RESTART_SECTIONS, SECTIONS, type KabosuConfig } from '../../../src/config/schema';
import { validateConfigText } from '../../../src/config/validate';
import { secretFieldPaths } from '../../../src/config/schemaWalk';
import { configFieldTable } from '../../../src/config/docTable';
import { devConfig } from '../../../src/app/devConfig';

// Compile-time checks: the types are derived from the schema (FromSchema), so these lines only
// type-check while the schema says what they assume. `npx tsc --noEmit -p .` fails otherwise.
type Expect<T extends true> = T;
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
export type TypeChecks = [
  Expect<Equal<KabosuConfig['thermal']['mode'], 'auto' | 'manual' | 'immersion'>>,
  Expect<Equal<KabosuConfig['thermal']['targetC'], number>>,
  Expect<Equal<KabosuConfig['power']['limitW'], number | undefined>>,
  Expect<Equal<KabosuConfig['pools'][number]['password'], string>>,
  Expect<Equal<KabosuConfig['version'], 1>>,
  Expect<Equal<KabosuConfig['api']['cgminer']['personality'], 'antminer-l3plus' | 'kabosu'>>,
  Expect<Equal<KabosuConfig['logging']['levels'], { [key: string]: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' }>>,
  Expect<Equal<KabosuConfig['telemetry']['mqtt']['qos'], 0 | 1 | 2>>,
  Expect<Equal<KabosuConfig['health']['actions'], 'auto' | 'report'>>,
  Expect<Equal<KabosuConfig['health']['chip']['degradedHwErrorRatio'], number>>,
];

test('an empty config with only a version gets every default from the schema', () => {
  const { config } = validateConfigText('{"version": 1}', 'mem');
  assert.is(config.device.id, 'kabosu');
  assert.is(config.thermal.targetC, 75);
  assert.is(config.api.cgminer.port, 4028);
  assert.is(config.telemetry.mqtt.baseTopic, 'kabosu');
  assert.is(config.testPool.blockIntervalS, 60);
  assert.is(config.testPool.jobIntervalS, 30);
  assert.is(config.hashboards.sim.pow, 'scrypt-sim');
  assert.equal(config.pools, []);
  assert.is(config.mining.enabled, false);
});

test('defaults do not overwrite given values', () => {
  const { config } = validateConfigText('{"version":1,"thermal":{"targetC":60},"logging":{"levels":{"chips":"debug"}}}', 'mem');
  assert.is(config.thermal.targetC, 60);
  assert.is(config.thermal.hotC, 85);
  assert.equal(config.logging.levels, { chips: 'debug' });
});

test('every section is marked reloadable or restart, as the design says', () => {
  assert.equal([...RELOADABLE_SECTIONS].sort(), ['api', 'economics', 'health', 'logging', 'mining', 'pools', 'power', 'telemetry', 'thermal', 'tuning']);
  assert.equal([...RESTART_SECTIONS].sort(), ['console', 'device', 'hashboards', 'ota', 'testPool']);
  assert.is(SECTIONS.length, RELOADABLE_SECTIONS.length + RESTART_SECTIONS.length);
});

test('secret fields are the pool password, MQTT passwords (client and embedded broker), API tokens and the CGI password', () => {
  assert.equal(secretFieldPaths().map((p) => p.join('.')), ['pools.*.password', 'telemetry.mqtt.password', 'telemetry.mqtt.broker.password', 'api.http.token', 'api.cgminer.token', 'api.cgi.password']);
});

test('every object in the schema forbids unknown keys', () => {
  const walk = (n: unknown, at: string): void => {
    if (typeof n !== 'object' || n === null) return;
    const o = n as Record<string, unknown>;
    if (o.type === 'object' && o.properties) assert.is(o.additionalProperties, false, `${at} allows unknown keys`);
    for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
  };
  walk(CONFIG_SCHEMA, '');
});

test('the embedded dev config (npm start) is valid', () => {
  const { config } = validateConfigText(JSON.stringify(devConfig()), 'dev');
  assert.is(config.testPool.enabled, true);
});

test('docs/configuration.md carries the current field table', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
  const m = /<!-- schema-table:start -->\n([\s\S]*)<!-- schema-table:end -->/.exec(doc);
  assert.ok(m, 'markers missing');
  assert.fixture(m![1], configFieldTable());
});

test.run();
