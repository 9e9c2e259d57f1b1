import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Ajv from 'ajv';
import { sampleStatus } from './fixture';
import { EconomicsEngine } from '../../../src/economics/engine';
import { validateConfigText } from '../../../src/config';
import { telemetryPayload } from '../../../src/telemetry/mqtt/payloads';
import { telemetrySchema } from '../../../src/telemetry/mqtt/schemas';
import { discoveryMessages } from '../../../src/telemetry/ha/discovery';
import { topics } from '../../../src/telemetry/mqtt/topics';

function withEconomics() {
  const cfg = validateConfigText(JSON.stringify({ version: 1, economics: { enabled: true, currency: 'EUR', market: { fixed: { ltcDifficulty: 4e7, ltcReward: 6.25, ltcPrice: 80, dogeDifficulty: 2e7, dogeReward: 1e4, dogePrice: 0.15 } } } }), 't').config.economics;
  const s = sampleStatus();
  const e = new EconomicsEngine(cfg).tick({ nowMs: 0, epochMs: Date.now(), status: s, curve: [] }).status;
  return { ...s, economics: e };
}

test('with economics the telemetry payload carries margin, revenue, cost, prices, power source; the schema accepts it', () => {
  const s = withEconomics();
  const p = telemetryPayload(s, 1000);
  assert.is(p.currency, 'EUR');
  assert.is(p.power_source, 'model');
  assert.is(p.curtailed, false);
  assert.ok(Math.abs(p.revenue_per_day! - s.economics.now.revenue_per_day!) < 1e-3);
  assert.ok(Math.abs(p.margin_per_day! - s.economics.now.margin_per_day!) < 1e-3);
  const ok = new Ajv({ strict: false }).compile(telemetrySchema);
  assert.ok(ok(p), JSON.stringify(ok.errors));
  // without economics the keys are absent
  assert.not.ok('margin_per_day' in telemetryPayload(sampleStatus(), 1000));
});

test('with economics Home Assistant gets monetary sensors in the currency, prices per kWh, and a curtailed binary sensor', () => {
  const msgs = discoveryMessages({ deviceId: 'm1', name: 'm1', t: topics('kabosu', 'm1'), status: withEconomics() });
  const by = (id: string) => JSON.parse(msgs.find((m) => m.topic.endsWith(`/${id}/config`))!.payload);
  assert.is(by('margin').device_class, 'monetary');
  assert.is(by('margin').unit_of_measurement, 'EUR');
  assert.is(by('margin').value_template, '{{ value_json.margin_per_day }}');
  assert.is(by('electricity_price').unit_of_measurement, 'EUR/kWh');
  assert.ok(msgs.some((m) => m.topic === 'homeassistant/binary_sensor/m1/curtailed/config'));
  assert.not.ok(discoveryMessages({ deviceId: 'm1', name: 'm1', t: topics('kabosu', 'm1'), status: sampleStatus() }).some((m) => m.topic.includes('/margin/')));
});

test.run();
