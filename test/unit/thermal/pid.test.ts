import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { pidInit, pidStep, validatePid, type PidOptions } from '../../../src/thermal/pid';

const O: PidOptions = { kp: 4, ki: 0.2, kd: 0, outMin: 10, outMax: 100, slewPerS: 5 };

test('hot raises the output, cold lowers it, within the slew limit', () => {
  let s = pidInit(O, 50);
  s = pidStep(O, s, 65, 75, 1);
  assert.is(s.output, 55); // +5 %/s slew
  s = pidStep(O, pidInit(O, 50), 65, 55, 1);
  assert.is(s.output, 45);
});

test('output never leaves [outMin, outMax] and never moves faster than slew (property)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: -50, max: 200, noNaN: true }), fc.double({ min: 0.01, max: 5, noNaN: true })), { minLength: 1, maxLength: 200 }), (steps) => {
    let s = pidInit(O, 30);
    for (const [m, dt] of steps) {
      const n = pidStep(O, s, 65, m, dt);
      if (n.output < O.outMin || n.output > O.outMax) return false;
      if (Math.abs(n.output - s.output) > O.slewPerS * dt + 1e-9) return false;
      s = n;
    }
    return true;
  }), { seed: 1 });
});

test('anti-windup: a long saturation does not store integral, recovery is quick', () => {
  let s = pidInit(O, 100);
  for (let i = 0; i < 1000; i++) s = pidStep(O, s, 65, 90, 1); // pinned at max for 1000 s
  assert.is(s.output, 100);
  assert.ok(s.integral <= O.outMax, `integral bounded, got ${s.integral}`);
  // Temperature falls below target: the output must start falling within a few steps.
  let steps = 0;
  while (s.output >= 100 && steps < 50) { s = pidStep(O, s, 65, 60, 1); steps++; }
  assert.ok(steps <= 3, `output left saturation after ${steps} steps`);
});

test('integral removes steady-state error on a first-order plant', () => {
  const o: PidOptions = { ...O, slewPerS: 10 };
  let s = pidInit(o, 20);
  let t = 80;
  for (let i = 0; i < 3000; i++) {
    // plant: heat 40 C rise at 0 duty, fan cools proportionally, dt 1 s, tau 30 s
    const eq = 25 + 60 * (1 - s.output / 150);
    t += (eq - t) / 30;
    s = pidStep(o, s, 65, t, 1);
  }
  assert.ok(Math.abs(t - 65) < 0.5, `steady ${t}`);
});

test('bad dt or non-finite measurement holds the state', () => {
  const s = pidInit(O, 40);
  assert.is(pidStep(O, s, 65, 80, 0), s);
  assert.is(pidStep(O, s, 65, 80, -1), s);
  assert.is(pidStep(O, s, 65, Number.NaN, 1), s);
  assert.is(pidStep(O, s, 65, Infinity, 1), s);
});

test('validatePid rejects nonsense', () => {
  assert.is(validatePid(O), null);
  assert.ok(validatePid({ ...O, outMin: 90, outMax: 10 }));
  assert.ok(validatePid({ ...O, kp: -1 }));
  assert.ok(validatePid({ ...O, slewPerS: 0 }));
  assert.ok(validatePid({ ...O, ki: Number.NaN }));
});

test.run();
