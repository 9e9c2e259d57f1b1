import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { DEFAULT_INTERLOCK, coolDownStep, evaluateInterlock, nextReading, type BoardInputs, type FanInputs, type InterlockLimits } from '../../../src/thermal/interlockRules';

const L: InterlockLimits = { ...DEFAULT_INTERLOCK, dangerousC: 85, coolBelowC: 65, immersion: false };
const FANS: FanInputs = { rpm: [3000, 2800], duty: 60, minRunningRpm: 300 };
const r = (tempC: number, atMs = 1000, changedAtMs = atMs) => ({ tempC, atMs, changedAtMs });
const board = (sensors: BoardInputs['sensors'], extra: Partial<BoardInputs> = {}): BoardInputs => ({ board: 0, powered: true, sensors, regulatorFault: false, ...extra });
const reasons = (b: BoardInputs, fans = FANS, now = 1000, l = L) => evaluateInterlock(l, [b], fans, now).map((t) => t.reason);

test('healthy board: no trip', () => {
  assert.equal(reasons(board([r(70), r(72)])), []);
});

test('each reason', () => {
  assert.equal(reasons(board([r(70), r(85)])), ['over_temp']);
  assert.equal(reasons(board([r(83)])), ['over_temp'], 'margin');
  assert.equal(reasons(board([r(82.9)])), []);
  assert.equal(reasons(board([r(70, 0)]), FANS, 2001), ['stale_reading']);
  assert.equal(reasons(board([r(70, 0)]), FANS, 2000), []);
  assert.equal(reasons(board([null])), ['stale_reading']);
  assert.equal(reasons(board([])), ['stale_reading']);
  // frozen: unchanged > 30 s while another sensor moved; a whole system at steady state is not frozen
  assert.equal(reasons(board([{ ...r(70, 40000, 5000), peerAtChangeC: 70 }, r(72, 40000)]), FANS, 40000), ['frozen_reading']);
  assert.equal(reasons(board([{ ...r(70, 40000, 5000), peerAtChangeC: 71 }, r(72, 40000)]), FANS, 40000), [], 'peers moved < 1.5 C: steady state');
  assert.equal(reasons(board([{ ...r(70, 40000, 5000) }, r(72, 40000)]), FANS, 40000), [], 'no peer reference');
  assert.equal(reasons(board([r(-128)])), ['implausible_reading']);
  assert.equal(reasons(board([r(0)])), ['implausible_reading']);
  assert.equal(reasons(board([r(127.9375)])), ['implausible_reading']);
  assert.equal(reasons(board([r(Number.NaN)])), ['implausible_reading']);
  assert.equal(reasons(board([r(200)])), ['implausible_reading']);
  assert.equal(reasons(board([r(70)], { regulatorFault: true })), ['regulator_fault']);
  assert.equal(reasons(board([r(70)]), { ...FANS, rpm: [0, null] }), ['fans_stopped']);
  assert.equal(reasons(board([r(70)]), { ...FANS, rpm: [] }), ['fans_stopped']);
});

test('one fan stopped is not "all fans stopped"; immersion never trips on fans', () => {
  assert.equal(reasons(board([r(70)]), { ...FANS, rpm: [0, 2800] }), []);
  assert.equal(reasons(board([r(70)]), { ...FANS, rpm: [0, 0] }, 1000, { ...L, immersion: true }), []);
});

test('unpowered boards are not evaluated', () => {
  assert.equal(reasons(board([r(99)], { powered: false })), []);
});

test('nextReading tracks the last change', () => {
  let s = nextReading(null, 70, 0);
  s = nextReading(s, 70, 500);
  assert.equal(s, { tempC: 70, atMs: 500, changedAtMs: 0 });
  s = nextReading(s, 70.25, 900, 68);
  assert.equal(s, { tempC: 70.25, atMs: 900, changedAtMs: 900, peerAtChangeC: 68 });
  s = nextReading(s, 70.25, 1000, 75);
  assert.equal(s, { tempC: 70.25, atMs: 1000, changedAtMs: 900, peerAtChangeC: 68 });
});

const AIR = { rpm: [4000, 4100], minRunningRpm: 300 };

test('cool-down needs every sensor fresh and cool for the hold time', () => {
  let c = coolDownStep(L, { coolSinceMs: null }, [r(60, 0)], AIR, 0);
  assert.is(c.ready, false);
  c = coolDownStep(L, c.state, [r(60, 29000)], AIR, 29000);
  assert.is(c.ready, false);
  c = coolDownStep(L, c.state, [r(60, 30000)], AIR, 30000);
  assert.is(c.ready, true);
  const warm = coolDownStep(L, c.state, [r(66, 30500)], AIR, 30500);
  assert.equal(warm, { state: { coolSinceMs: null }, ready: false });
  assert.is(coolDownStep(L, { coolSinceMs: 0 }, [r(60, 0)], AIR, 40000).ready, false, 'stale reading is not cool');
  assert.is(coolDownStep(L, { coolSinceMs: 0 }, [null], AIR, 40000).ready, false);
});

test('cool-down never readies a board while every fan is stopped (duty 0, dead fans), except in immersion', () => {
  const still = { rpm: [0, 120], minRunningRpm: 300 };
  let c = coolDownStep(L, { coolSinceMs: null }, [r(30, 0)], still, 0);
  for (let t = 1000; t <= 120_000; t += 1000) c = coolDownStep(L, c.state, [r(30, t)], still, t);
  assert.equal(c, { state: { coolSinceMs: null }, ready: false }, 'cold but no air: stays off');
  assert.is(coolDownStep(L, { coolSinceMs: 0 }, [r(30, 40000)], { rpm: [null, null], minRunningRpm: 300 }, 40000).ready, false, 'no tach');
  assert.is(coolDownStep(L, { coolSinceMs: 0 }, [r(30, 40000)], { rpm: [], minRunningRpm: 300 }, 40000).ready, false, 'no fans');
  assert.is(coolDownStep(L, { coolSinceMs: 0 }, [r(30, 40000)], { rpm: [0, 350], minRunningRpm: 300 }, 40000).ready, true, 'one fan turning');
  assert.is(coolDownStep({ ...L, immersion: true }, { coolSinceMs: 0 }, [r(30, 40000)], still, 40000).ready, true, 'immersion has no fans');
});

test('property: any powered board with a sensor >= dangerous always trips', () => {
  fc.assert(fc.property(
    fc.array(fc.option(fc.record({ tempC: fc.double({ min: -300, max: 300 }), atMs: fc.integer({ min: 0, max: 10000 }), changedAtMs: fc.integer({ min: 0, max: 10000 }) })), { maxLength: 4 }),
    fc.double({ min: 85, max: 127, noNaN: true }), fc.array(fc.option(fc.double({ min: 0, max: 5000 })), { maxLength: 3 }),
    fc.boolean(), fc.boolean(),
    (sensors, hot, rpm, regFault, immersion) => {
      const b = board([...sensors, r(Math.min(hot, 127), 10000)], { regulatorFault: regFault });
      const trips = evaluateInterlock({ ...L, immersion }, [b], { rpm, duty: 50, minRunningRpm: 300 }, 10000);
      return trips.length === 1 && trips[0].board === 0;
    }), { seed: 3 });
});

test.run();
