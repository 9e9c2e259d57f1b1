import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_FAN_HEALTH, expectedRpm, fanHealthInit, fanHealthStep } from '../../../src/thermal/fanHealth';

const M = { maxRpm: 4300, startDuty: 10 };

test('expected rpm: zero at or below start duty, linear above', () => {
  assert.is(expectedRpm(M, 0), 0);
  assert.is(expectedRpm(M, 10), 0);
  assert.is(expectedRpm(M, 50), 2150);
  assert.is(expectedRpm(M, 150), 4300);
});

test('a seized fan fails after the grace time and recovers', () => {
  let s = fanHealthInit();
  let r = fanHealthStep(DEFAULT_FAN_HEALTH, M, s, 60, 0, 0);
  assert.is(r.state.failed, false);
  r = fanHealthStep(DEFAULT_FAN_HEALTH, M, r.state, 60, 0, 4999);
  assert.is(r.state.failed, false);
  r = fanHealthStep(DEFAULT_FAN_HEALTH, M, r.state, 60, null, 5000);
  assert.is(r.state.failed, true);
  assert.is(r.changed, true);
  r = fanHealthStep(DEFAULT_FAN_HEALTH, M, r.state, 60, 2500, 6000);
  assert.equal(r, { state: { lowSinceMs: null, failed: false }, changed: true });
  s = r.state;
  assert.is(fanHealthStep(DEFAULT_FAN_HEALTH, M, s, 60, 2500, 7000).changed, false);
});

test('a fan commanded off is healthy at 0 rpm; spin-up within grace is fine', () => {
  assert.is(fanHealthStep(DEFAULT_FAN_HEALTH, M, fanHealthInit(), 5, 0, 0).state.failed, false);
  let r = fanHealthStep(DEFAULT_FAN_HEALTH, M, fanHealthInit(), 100, 500, 0);
  r = fanHealthStep(DEFAULT_FAN_HEALTH, M, r.state, 100, 3000, 2000);
  assert.is(r.state.failed, false);
  assert.is(r.state.lowSinceMs, null);
});

test.run();
