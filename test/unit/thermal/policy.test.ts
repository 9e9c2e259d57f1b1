import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { DEFAULT_POLICY, policyInit, policyStep, validateLimits, type PolicyLimits } from '../../../src/thermal/policy';

const L: PolicyLimits = { targetC: 65, hotC: 78, dangerousC: 85, ...DEFAULT_POLICY };

test('hot throttles one step per interval until under hot', () => {
  let s = policyInit(0);
  let r = policyStep(L, s, 79, 0);
  assert.equal(r.action, { kind: 'throttle', scale: 0.95 });
  s = r.state;
  r = policyStep(L, s, 79, 1000);
  assert.is(r.action.kind, 'none');
  r = policyStep(L, s, 79, 5000);
  assert.equal(r.action, { kind: 'throttle', scale: 0.9 });
});

test('restores gradually only below hot - hysteresis, one step per restore interval', () => {
  let s = policyStep(L, policyInit(0), 80, 0).state; // 0.95
  assert.is(policyStep(L, s, 77, 60000).action.kind, 'none'); // inside hysteresis
  let r = policyStep(L, s, 70, 30000);
  assert.equal(r.action, { kind: 'restore', scale: 1 });
  assert.is(r.state.level, 'normal');
  s = { level: 'throttled', scale: 0.8, lastChangeMs: 0 };
  r = policyStep(L, s, 70, 10000);
  assert.is(r.action.kind, 'none');
});

test('dangerous powers off once, latches until below target', () => {
  let r = policyStep(L, policyInit(0), 85, 0);
  assert.equal(r.action, { kind: 'power_off' });
  r = policyStep(L, r.state, 90, 10);
  assert.is(r.action.kind, 'none');
  r = policyStep(L, r.state, 70, 20);
  assert.is(r.action.kind, 'none');
  assert.is(r.state.level, 'dangerous');
  r = policyStep(L, r.state, 64, 30);
  assert.equal(r.action, { kind: 'cooled' });
  assert.is(r.state.scale, L.minScale);
});

test('scale stays in [minScale, 1]; dangerous temp always ends in dangerous (property)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: 20, max: 100, noNaN: true }), fc.integer({ min: 0, max: 60000 })), { maxLength: 300 }), (steps) => {
    let s = policyInit(0);
    let now = 0;
    for (const [t, dt] of steps) {
      now += dt;
      s = policyStep(L, s, t, now).state;
      if (s.scale < L.minScale - 1e-9 || s.scale > 1) return false;
      if (t >= L.dangerousC && s.level !== 'dangerous') return false;
    }
    return true;
  }), { seed: 2 });
});

test('NaN holds', () => {
  const s = policyInit(0);
  assert.is(policyStep(L, s, Number.NaN, 100).state, s);
});

test('validateLimits enforces target < hot < dangerous', () => {
  assert.is(validateLimits(L), null);
  assert.ok(validateLimits({ ...L, hotC: 90 }));
  assert.ok(validateLimits({ ...L, targetC: 78 }));
  assert.ok(validateLimits({ ...L, minScale: 0 }));
});

test.run();
