import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateConfigText } from '../../../src/config/validate';
import { ConfigInvalidError, type ConfigIssue } from '../../../src/config/issues';
import { isReloadable } from '../../../src/config/schema';

function issues(health: unknown): ConfigIssue[] {
  try {
    validateConfigText(JSON.stringify({ version: 1, health }, null, 2), 'c.json');
  } catch (e) {
    assert.instance(e, ConfigInvalidError);
    return (e as ConfigInvalidError).issues;
  }
  throw new Error(`expected ${JSON.stringify(health)} to be rejected`);
}

test('the health section is hot-reloadable and takes operator values', () => {
  assert.ok(isReloadable('health'));
  const { config } = validateConfigText('{"version":1,"health":{"actions":"report","maxReinitsPerHour":0,"chip":{"degradedHwErrorRatio":0.05}}}', 'c.json');
  assert.is(config.health.actions, 'report');
  assert.is(config.health.maxReinitsPerHour, 0);
  assert.is(config.health.chip.degradedHwErrorRatio, 0.05);
  assert.is(config.health.chip.recoveredHwErrorRatio, 0.01, 'the rest keep their defaults');
});

test('out-of-range and mistyped values are refused with the field named and the limit given', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ chip: { degradedHwErrorRatio: 0.9 } }, '/health/chip/degradedHwErrorRatio', /<= 0.5/],
    [{ chip: { degradedHwErrorRatio: 0 } }, '/health/chip/degradedHwErrorRatio', /> 0/],
    [{ chip: { deadProbability: 0.5 } }, '/health/chip/deadProbability', /<= 0.01/],
    [{ intervalMs: 10 }, '/health/intervalMs', />= 1000/],
    [{ maxReinitsPerHour: -1 }, '/health/maxReinitsPerHour', />= 0/],
    [{ maxReinitsPerHour: 1.5 }, '/health/maxReinitsPerHour', /integer/],
    [{ freqStepMHz: 0 }, '/health/freqStepMHz', />= 1/],
    [{ deadGraceMs: 1e9 }, '/health/deadGraceMs', /<= 3600000/],
    [{ flatline: { maxRestartsPerHour: 100 } }, '/health/flatline/maxRestartsPerHour', /<= 60/],
    [{ hardware: { psuSagRatio: 2 } }, '/health/hardware/psuSagRatio', /<= 1/],
    [{ actions: 'yolo' }, '/health/actions', /auto/],
    [{ enabled: 'yes' }, '/health/enabled', /boolean/],
  ];
  for (const [health, pointer, expected] of cases) {
    const list = issues(health);
    assert.equal(list.map((i) => i.pointer), [pointer], JSON.stringify(health));
    assert.match(list[0].expected ?? '', expected, `${pointer}: ${list[0].expected}`);
    assert.ok(list[0].line !== undefined, 'located in the file');
  }
});

test('an unknown health key is refused with a did-you-mean hint', () => {
  const [i] = issues({ maxReinitPerHour: 3 });
  assert.is(i.pointer, '/health/maxReinitPerHour');
  assert.is(i.hint, 'did you mean "maxReinitsPerHour"?');
});

test('hysteresis: each way back must be stricter than the way in', () => {
  assert.equal(issues({ chip: { degradedHwErrorRatio: 0.01, recoveredHwErrorRatio: 0.01 } }).map((i) => i.pointer), ['/health/chip/recoveredHwErrorRatio']);
  assert.equal(issues({ chip: { slowProbability: 0.01, slowRecoveredProbability: 0.001 } }).map((i) => i.pointer), ['/health/chip/slowRecoveredProbability']);
  assert.equal(issues({ chain: { crcErrorRatio: 0.004 } }).map((i) => i.pointer), ['/health/chain/crcRecoveredRatio'], 'a lower entry ratio needs a lower exit ratio too');
  const [i] = issues({ chip: { recoveredHwErrorRatio: 0.03 } });
  assert.match(i.expected ?? '', /below degradedHwErrorRatio \(0.02\)/);
  assert.is(i.found, '0.03');
});

test.run();
