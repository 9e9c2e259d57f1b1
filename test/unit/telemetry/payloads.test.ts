import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Ajv from 'ajv';
import * as fc from 'fast-check';
import { telemetryPayload, chainPayload, poolsPayload, eventPayload, workUtility } from '../../../src/telemetry/mqtt/payloads';
import { telemetrySchema, chainSchema, poolsSchema, eventSchema, haConfigSchema, replySchema } from '../../../src/telemetry/mqtt/schemas';
import { discoveryMessages } from '../../../src/telemetry/ha/discovery';
import { topics } from '../../../src/telemetry/mqtt/topics';
import { replyPayload } from '../../../src/telemetry/mqtt/commands';
import { KabosuError } from '../../../src/core/errors';
import { sampleStatus } from './fixture';

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const check = (schema: object, v: unknown): void => { const f = ajv.getSchema((schema as { $id: string }).$id) ?? ajv.compile(schema); assert.ok(f(v), JSON.stringify(f.errors)); };

test('payloads validate against their schemas and carry the right figures', () => {
  const s = sampleStatus();
  const t = telemetryPayload(s, 1000);
  check(telemetrySchema, t);
  assert.is(t.hashrate_ghs, 0.504); assert.is(t.pool_hashrate_ghs, 0.48); assert.is(t.power_w, 800);
  assert.is(t.efficiency_j_per_gh, 1587.302); assert.is(t.chip_temp_c, 71.3); assert.equal(t.fan_rpm, [4200, 4180]);
  assert.is(t.rejected, 1); assert.is(t.pool, 'main');
  for (const c of s.chains) check(chainSchema, chainPayload(c, 1000));
  const p = poolsPayload(s.pools, 1000);
  check(poolsSchema, p);
  assert.not.match(JSON.stringify(p), /pw/);
  check(eventSchema, eventPayload({ at_ms: 5, severity: 'warning', source: 'thermal', kind: 'hot', message: 'hot', data: { board: 1 } }));
  check(replySchema, replyPayload({ ok: true, data: 'x' }, 't'));
  check(replySchema, replyPayload({ ok: false, err: new KabosuError('KBS_E_A', 'b') }));
});

test('a status with nothing known still gives a valid payload (nulls, not invented numbers)', () => {
  const s = sampleStatus({ thermal: undefined, power: undefined, pools: [], chains: [], state: 'starting', hashrate: { chips: { '5s': { hps: 0, rel_err: null }, '1m': { hps: 0, rel_err: null }, '15m': { hps: 0, rel_err: null }, total: { hps: 0, rel_err: null } }, pool_accepted: null } });
  const t = telemetryPayload(s, 0);
  check(telemetrySchema, t);
  assert.is(t.power_w, null); assert.is(t.efficiency_j_per_gh, null); assert.is(t.pool, null); assert.equal(t.fan_rpm, []);
});

test('fuzz: any numbers (NaN, Infinity, negatives) give schema-valid telemetry', () => {
  fc.assert(fc.property(fc.double(), fc.option(fc.double()), fc.option(fc.double()), (hps, w, temp) => {
    const s = sampleStatus();
    s.hashrate.chips['5s'].hps = hps;
    s.power!.wall_w = w;
    s.thermal!.boards[0].chip_temp_c = temp;
    const t = telemetryPayload(s, 0);
    const back = JSON.parse(JSON.stringify(t));
    check(telemetrySchema, back);
  }), { numRuns: 500 });
});

test('HA discovery: per-entity configs with device, availability, unique ids, classes', () => {
  const msgs = discoveryMessages({ deviceId: 'm1', name: 'Miner', t: topics('kabosu', 'm1'), status: sampleStatus() });
  const ids = new Set<string>();
  for (const m of msgs) {
    const c = JSON.parse(m.payload);
    check(haConfigSchema, c);
    assert.match(m.topic, /^homeassistant\/(sensor|switch|number|button)\/m1\/[a-z0-9_]+\/config$/);
    assert.is(c.availability_topic, 'kabosu/m1/status');
    ids.add(c.unique_id);
  }
  assert.is(ids.size, msgs.length);
  const by = (id: string) => JSON.parse(msgs.find((m) => m.topic.includes(`/${id}/`))!.payload);
  assert.is(by('power').device_class, 'power'); assert.is(by('power').unit_of_measurement, 'W'); assert.is(by('power').state_class, 'measurement');
  assert.is(by('chip_temp').device_class, 'temperature');
  assert.is(by('fan0_rpm').value_template, '{{ value_json.fan_rpm[0] }}');
  assert.is(by('power_target').command_topic, 'kabosu/m1/cmd/power_target');
  assert.is(by('mining').payload_off, '{"on":false}');
  assert.is(by('energy').device_class, 'energy'); assert.is(by('energy').unit_of_measurement, 'kWh'); assert.is(by('energy').state_class, 'total_increasing');
  assert.is(by('energy').value_template, '{{ value_json.energy_kwh }}');
  assert.is(by('energy').default_entity_id, 'sensor.m1_energy');
  assert.is(by('mining').default_entity_id, 'switch.m1_mining');
});

test('HA default_entity_id is <domain>.<object_id> slugged to [a-z0-9_] for a device id with "-"', () => {
  const msgs = discoveryMessages({ deviceId: 'rack-7', name: 'Miner', t: topics('kabosu', 'rack-7'), status: sampleStatus() });
  for (const m of msgs) {
    const c = JSON.parse(m.payload);
    const domain = m.topic.split('/')[1];
    assert.is(c.default_entity_id, `${domain}.${c.object_id.replace(/-/g, '_')}`);
  }
});

test('topics refuse wildcards', () => {
  assert.throws(() => topics('kabosu', 'a+b'));
  assert.throws(() => topics('ka#', 'a'));
});

test('work utility is per minute of real uptime: a share accepted in the first second counts', () => {
  assert.is(workUtility(4096, 0, 0.5), 491520);
  assert.is(workUtility(4096, 4096, 120), 4096);
  assert.is(workUtility(4096, 0, 0), 0);
});

test.run();
