import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { DEFAULT_POLICY, policyInit, policyStep, validateLimits, type PolicyLimits } from '../../../src/thermal/policy';
import { evaluateInterlock, nextReading } from '../../../src/thermal/interlockRules';
import { limitsFor } from '../../../src/thermal/defaults';

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

test('dangerous goes straight to the minimum scale once (no power-off action: the interlock owns it), latches until below target', () => {
  let r = policyStep(L, policyInit(0), 85, 0);
  assert.equal(r.action, { kind: 'throttle', scale: L.minScale });
  assert.is(r.state.level, 'dangerous');
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

test('whenever the policy judges a reading dangerous, the interlock (its one owner) trips every powered board reading it (property)', () => {
  // The thermal controller feeds both the same readings each tick: policy the hottest, the
  // interlock each sensor. No board may stay powered on a reading the policy calls dangerous.
  fc.assert(fc.property(
    fc.record({ targetC: fc.integer({ min: 40, max: 70 }), gap1: fc.integer({ min: 1, max: 20 }), gap2: fc.integer({ min: 1, max: 20 }) }),
    fc.array(fc.array(fc.double({ min: 1, max: 126, noNaN: true }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    (t, temps) => {
      const board = { targetC: t.targetC, hotC: t.targetC + t.gap1, dangerousC: t.targetC + t.gap1 + t.gap2 };
      const { policy, interlock } = limitsFor(board);
      const now = 1000;
      const boards = temps.map((ts, b) => ({ board: b, powered: true, regulatorFault: false, sensors: ts.map((c) => nextReading(null, c, now)) }));
      const hottest = Math.max(...temps.flat());
      const p = policyStep(policy, policyInit(0), hottest, now);
      if (p.state.level !== 'dangerous') return true;
      const tripped = new Set(evaluateInterlock({ ...interlock, immersion: true }, boards, { rpm: [], duty: 0, minRunningRpm: 300 }, now).map((x) => x.board));
      return temps.every((ts, b) => !ts.some((c) => c >= policy.dangerousC) || tripped.has(b));
    },
  ), { seed: 7 });
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
