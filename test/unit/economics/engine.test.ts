import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EconomicsEngine, type EconomicsConfig } from '../../../src/economics/engine';
import { validateConfigText } from '../../../src/config';
import type { DaemonStatus } from '../../../src/core/minerApi';

const noon = Date.parse('2026-12-07T12:00:00Z');
const fixed = { ltcDifficulty: 4e7, ltcReward: 6.25, ltcPrice: 80, dogeDifficulty: 2e7, dogeReward: 10_000, dogePrice: 0.15, poolFeePct: 1 };

function config(economics: Record<string, unknown>): EconomicsConfig {
  return validateConfigText(JSON.stringify({ version: 1, economics: { enabled: true, market: { fixed }, ...economics } }), 'test').config.economics;
}

function status(o: { state?: DaemonStatus['state']; hps?: number; wallW?: number; tripped?: boolean } = {}): DaemonStatus {
  const r = (hps: number) => ({ hps, rel_err: 0.01 });
  return {
    state: o.state ?? 'mining',
    hashrate: { chips: { '5s': r(o.hps ?? 9.5e9), '1m': r(o.hps ?? 9.5e9), '15m': r(o.hps ?? 9.5e9), total: r(o.hps ?? 9.5e9) }, pool_accepted: r(o.hps ?? 9.5e9) },
    power: { boards: [], wall_w: o.wallW ?? 3425, measured: true, energy_kwh: 0, limit_w: null },
    thermal: o.tripped ? { boards: [{ index: 0, state: 'tripped' }] } : undefined,
  } as unknown as DaemonStatus;
}

test('a power setpoint is followed through one power-target action, released when it goes stale', () => {
  const e = new EconomicsEngine(config({ powerTarget: { topic: 'dr/setpoint', maxAgeS: 60 } }));
  e.setpointReading(2500, 0);
  let r = e.tick({ nowMs: 1000, epochMs: noon, status: status(), curve: [] });
  assert.equal(r.actions.map((a) => [a.kind, a.kind === 'power-target' ? a.watts : null]), [['power-target', 2500]]);
  e.acted(r.actions[0]!, true, 1000, noon);
  assert.is(e.tick({ nowMs: 2000, epochMs: noon, status: status(), curve: [] }).actions.length, 0, 'no repeat');
  e.setpointReading(2505, 2000);
  assert.is(e.tick({ nowMs: 3000, epochMs: noon, status: status(), curve: [] }).actions.length, 0, 'inside the dead band');
  r = e.tick({ nowMs: 63_000, epochMs: noon, status: status(), curve: [] });
  assert.equal(r.actions.map((a) => (a.kind === 'power-target' ? a.watts : a.kind)), [null], 'stale setpoint released');
});

test('curtail to a power level: the lower of it and the setpoint; resume releases it', () => {
  const e = new EconomicsEngine(config({ curtail: { enabled: true, action: 'power', powerW: 1500, marginBelowPerDay: 0, resumeAbovePerDay: 1, minHoldS: 0 }, tariff: { kind: 'flat', pricePerKwh: 5 } }));
  const r = e.tick({ nowMs: 1000, epochMs: noon, status: status(), curve: [] });
  assert.equal(r.actions.map((a) => (a.kind === 'power-target' ? a.watts : a.kind)), [1500]);
  assert.match(r.actions[0]!.message, /curtailed/);
  assert.is(r.status.policy.curtailed, true);
  e.acted(r.actions[0]!, true, 1000, noon);
  e.reconfigure(config({ curtail: { enabled: true, action: 'power', powerW: 1500, marginBelowPerDay: 0, resumeAbovePerDay: 1, minHoldS: 0 }, tariff: { kind: 'flat', pricePerKwh: 0.05 } }));
  const back = e.tick({ nowMs: 2000, epochMs: noon, status: status({ wallW: 1500, hps: 5e9 }), curve: [] });
  assert.equal(back.actions.map((a) => (a.kind === 'power-target' ? a.watts : a.kind)), [null]);
  assert.is(back.status.policy.curtailed, false);
});

test('safety wins: no resume into a board the interlock tripped; the operator pausing is left alone', () => {
  const e = new EconomicsEngine(config({ curtail: { enabled: true, action: 'pause', marginBelowPerDay: 0, resumeAbovePerDay: 0, minHoldS: 0 }, tariff: { kind: 'flat', pricePerKwh: 5 } }));
  const r = e.tick({ nowMs: 1000, epochMs: noon, status: status(), curve: [] });
  assert.equal(r.actions.map((a) => a.kind), ['pause']);
  e.acted(r.actions[0]!, true, 1000, noon);
  e.reconfigure(config({ curtail: { enabled: true, action: 'pause', marginBelowPerDay: 0, resumeAbovePerDay: 0, minHoldS: 0 }, tariff: { kind: 'flat', pricePerKwh: 0.01 } }));
  assert.equal(e.tick({ nowMs: 2000, epochMs: noon, status: status({ state: 'paused', tripped: true }), curve: [] }).actions, []);
  const ok = e.tick({ nowMs: 3000, epochMs: noon, status: status({ state: 'paused' }), curve: [] });
  assert.equal(ok.actions.map((a) => a.kind), ['resume']);
  // an operator pause (not ours) is never resumed, whatever the margin
  const f = new EconomicsEngine(config({ curtail: { enabled: true, action: 'pause', marginBelowPerDay: 0, resumeAbovePerDay: 0, minHoldS: 0 } }));
  const op = f.tick({ nowMs: 1000, epochMs: noon, status: status({ state: 'paused' }), curve: [] });
  assert.equal(op.actions, []);
  assert.is(op.status.policy.reason, 'paused by the operator');
});

test('the recommendation applies only on request, or with auto-optimise', () => {
  const curve = [
    { label: 'max preset', hashrateHps: 10e9, wallPowerW: 3900, apply: { kind: 'power' as const, watts: 3900 } },
    { label: 'eco preset', hashrateHps: 7.6e9, wallPowerW: 2300, apply: { kind: 'power' as const, watts: 2300 } },
  ];
  const e = new EconomicsEngine(config({ tariff: { kind: 'flat', pricePerKwh: 0.25 } }));
  const r = e.tick({ nowMs: 1000, epochMs: noon, status: status({ hps: 10e9, wallW: 3900 }), curve });
  assert.is(r.status.recommendation?.label, 'eco preset');
  assert.match(r.status.recommendation!.text, /^eco preset: \+\$\d+\.\d\d\/day at your tariff/);
  assert.equal(r.actions, [], 'not applied by itself');
  assert.match(e.applyRecommendation(), /applying eco preset: power target 2300 W/);
  assert.equal(e.tick({ nowMs: 2000, epochMs: noon, status: status({ hps: 10e9, wallW: 3900 }), curve }).actions.map((a) => (a.kind === 'power-target' ? a.watts : a.kind)), [2300]);
  const auto = new EconomicsEngine(config({ tariff: { kind: 'flat', pricePerKwh: 0.25 }, autoOptimize: true }));
  assert.equal(auto.tick({ nowMs: 1000, epochMs: noon, status: status({ hps: 10e9, wallW: 3900 }), curve }).actions.map((a) => (a.kind === 'power-target' ? a.watts : a.kind)), [2300]);
});

test('schedule times the schema cannot judge are refused with the entry named', () => {
  assert.throws(() => new EconomicsEngine({ ...config({}), curtail: { ...config({}).curtail, windows: [{ from: '25:00', to: '01:00' }] } }), /economics\.curtail\.windows\[0\]/);
});

test('the config refuses what economics could not act on, naming the field', () => {
  const bad = (economics: Record<string, unknown>) => {
    try {
      validateConfigText(JSON.stringify({ version: 1, economics: { enabled: true, ...economics } }), 'test');
      return '';
    } catch (e) {
      return String((e as Error).message) + JSON.stringify((e as { issues?: unknown }).issues ?? '');
    }
  };
  assert.match(bad({ curtail: { enabled: true, action: 'power' } }), /economics\/curtail\/powerW/);
  assert.match(bad({ curtail: { marginBelowPerDay: 1, resumeAbovePerDay: 0 } }), /resumeAbovePerDay/);
  assert.match(bad({ tariff: { kind: 'live' } }), /economics\/tariff\/topic/);
  assert.match(bad({ market: { sources: [{ name: 'x', kind: 'http', fields: { ltcPrice: '/p' } }] } }), /sources\/0\/url/);
  assert.match(bad({ tariff: { schedule: [{ from: '7:00', to: '08:00', pricePerKwh: 0.1 }] } }), /schedule\/0\/from/);
  assert.is(bad({ curtail: { enabled: true, action: 'power', powerW: 1500 } }), '');
});

test.run();
