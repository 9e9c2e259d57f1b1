import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { decideThermal, type ThermalInputs, type ThermalRules, type ThermalState } from '../../../src/thermal/decide';
import { DEFAULT_PID, limitsFor } from '../../../src/thermal/defaults';
import { fanHealthInit } from '../../../src/thermal/fanHealth';
import { pidInit } from '../../../src/thermal/pid';
import { policyInit } from '../../../src/thermal/policy';
import type { SensorReading } from '../../../src/thermal/interlockRules';

const { policy, interlock } = limitsFor({ targetC: 65, hotC: 78, dangerousC: 85 });
const rules: ThermalRules = { interlock, policy, pid: DEFAULT_PID, fanModels: [{ maxRpm: 6000, startDuty: 10 }, { maxRpm: 6000, startDuty: 10 }] };
const init = (): ThermalState => ({ tripped: [null, null], cool: [{ coolSinceMs: null }, { coolSinceMs: null }], readyGiven: [false, false], fanHealth: [fanHealthInit(), fanHealthInit()], policy: policyInit(0), pid: pidInit(DEFAULT_PID, 100) });
const r = (t: number, at: number): SensorReading => ({ tempC: t, atMs: at, changedAtMs: at });
const inputs = (at: number, temps: [number, number], o: Partial<ThermalInputs> = {}): ThermalInputs => ({
  nowMs: at, dtS: 0.25, mode: { mode: 'auto' }, commandedDuty: 60, fanRpm: [3600, 3600],
  boards: temps.map((t, board) => ({ board, powered: true, sensors: [r(t, at)], regulatorFault: false })), ...o,
});

test('a board at dangerous is tripped once, the rest of the decision still made (PID duty, policy)', () => {
  const a = decideThermal(rules, init(), inputs(1000, [86, 60]));
  assert.equal(a.decision.trips.map((t) => [t.board, t.reason]), [[0, 'over_temp']]);
  assert.is(a.state.tripped[0], 'over_temp');
  assert.is(a.decision.hottestC, 86);
  assert.ok(a.decision.fanDuty !== null, 'the fans are still driven in the same tick');
  const b = decideThermal(rules, a.state, inputs(1250, [86, 60], { boards: [{ board: 0, powered: false, sensors: [r(86, 1250)], regulatorFault: false }, { board: 1, powered: true, sensors: [r(60, 1250)], regulatorFault: false }] }));
  assert.equal(b.decision.trips, [], 'not tripped twice');
});

test('cool-down: ready once after the hold with air; not while every fan is stopped', () => {
  let s = decideThermal(rules, init(), inputs(0, [86, 60])).state;
  const off = (at: number, t: number, rpm: number[]): ThermalInputs => inputs(at, [t, 60], { fanRpm: rpm, boards: [{ board: 0, powered: false, sensors: [r(t, at)], regulatorFault: false }, { board: 1, powered: true, sensors: [r(60, at)], regulatorFault: false }] });
  const ready: number[] = [];
  for (let at = 250; at <= 60_000; at += 250) {
    const d = decideThermal(rules, s, off(at, 50, [3600, 3600]));
    s = d.state;
    ready.push(...d.decision.reinitReady);
  }
  assert.equal(ready, [0], 'exactly one reinit_ready for the trip');
  let s2 = decideThermal(rules, init(), inputs(0, [86, 60])).state;
  for (let at = 250; at <= 60_000; at += 250) {
    const d = decideThermal(rules, s2, off(at, 50, [0, 0]));
    s2 = d.state;
    assert.equal(d.decision.reinitReady, [], 'no re-init without air');
  }
});

test('manual and immersion modes never command a duty; no sensor reading: policy and PID hold', () => {
  for (const mode of [{ mode: 'manual' as const, duty: 40 }, { mode: 'immersion' as const }]) {
    assert.is(decideThermal(rules, init(), inputs(0, [70, 70], { mode })).decision.fanDuty, null);
  }
  const none = decideThermal(rules, init(), { ...inputs(0, [70, 70]), boards: [{ board: 0, powered: true, sensors: [null], regulatorFault: false }, { board: 1, powered: true, sensors: [null], regulatorFault: false }] });
  assert.is(none.decision.hottestC, null);
  assert.is(none.decision.fanDuty, null);
  assert.equal(none.state.policy, init().policy);
});

test('property: every powered board at or above dangerous - margin is off after the decision (tripped now or before)', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.double({ min: 20, max: 120, noNaN: true }), fc.boolean()), { minLength: 2, maxLength: 2 }), (boards) => {
    const temps = boards.map(([t]) => t) as [number, number];
    const s = init();
    boards.forEach(([, tripped], b) => { if (tripped) s.tripped[b] = 'over_temp'; });
    const d = decideThermal(rules, s, inputs(1000, temps));
    return temps.every((t, b) => t < interlock.dangerousC - interlock.marginC || d.state.tripped[b] !== null);
  }), { seed: 26, numRuns: 2000 });
});

test.run();
