import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CurtailPolicy, TargetDeduper, parseSetpoint, wantedPowerTarget, type CurtailConfig } from '../../../src/economics/policy';

const cfg: CurtailConfig = { enabled: true, action: 'pause', marginBelowPerDay: 0, resumeAbovePerDay: 0.5, windows: [], utcOffsetMin: 0, minHoldMs: 300_000 };
const noon = Date.parse('2026-12-07T12:00:00Z');
const tick = (p: CurtailPolicy, nowMs: number, margin: number | null, quality: 'ok' | 'stale' | 'missing' = 'ok', epochMs = noon + nowMs) =>
  p.decide({ nowMs, epochMs, marginNowPerDay: margin, quality, pricePerKwh: 0.3 });

test('curtails exactly when the margin drops below the threshold, with the numbers', () => {
  const p = new CurtailPolicy(cfg);
  assert.is(tick(p, 0, 0), null, 'at the threshold: keep mining');
  const d = tick(p, 1000, -0.01);
  assert.is(d?.action, 'curtail');
  assert.is(d?.reason, 'margin');
  assert.equal(d?.numbers.margin_now_per_day, -0.01);
  assert.equal(d?.numbers.price_per_kwh, 0.3);
});

test('resumes only above the resume threshold (hysteresis) and after the hold', () => {
  const p = new CurtailPolicy(cfg);
  tick(p, 0, -1);
  assert.is(tick(p, 10_000, 0.49), null, 'between the thresholds: stay curtailed');
  assert.is(tick(p, 299_999, 0.6), null, 'inside the hold');
  const d = tick(p, 300_000, 0.5);
  assert.is(d?.action, 'resume');
  assert.is(d?.reason, 'margin-recovered');
  // and a fresh drop inside the hold after resuming does not flap
  assert.is(tick(p, 300_001, -1), null);
  assert.is(tick(p, 600_000, -1)?.action, 'curtail');
});

test('stale or missing market data never keeps the miner curtailed, and never curtails it', () => {
  const p = new CurtailPolicy(cfg);
  assert.is(tick(p, 0, -5, 'stale'), null);
  tick(p, 1, -5);
  const d = tick(p, 2, -5, 'missing');
  assert.is(d?.action, 'resume');
  assert.is(d?.reason, 'market-data-unusable');
});

test('a tariff window curtails at its start and resumes at its end (margin permitting)', () => {
  const p = new CurtailPolicy({ ...cfg, windows: [{ from: '17:00', to: '21:00' }] });
  const t = (hhmm: string) => Date.parse(`2026-12-07T${hhmm}:00Z`);
  assert.is(tick(p, 0, 5, 'ok', t('16:59')), null);
  assert.is(tick(p, 1, 5, 'ok', t('17:00'))?.reason, 'window');
  assert.is(tick(p, 2, 5, 'stale', t('20:59')), null, 'stale data inside a window: the window holds');
  const d = tick(p, 3, 5, 'ok', t('21:00'));
  assert.is(d?.action, 'resume');
  assert.is(d?.reason, 'window-ended');
  // a window that ends while the margin is still bad hands over to margin curtailment
  const q = new CurtailPolicy({ ...cfg, windows: [{ from: '17:00', to: '21:00' }] });
  tick(q, 0, 5, 'ok', t('17:00'));
  assert.is(tick(q, 1, -1, 'ok', t('21:00')), null);
  assert.is(q.curtailed?.reason, 'margin');
});

test('an operator override starts afresh and holds', () => {
  const p = new CurtailPolicy(cfg);
  tick(p, 0, -1);
  p.override(1000);
  assert.is(p.curtailed, null);
  assert.is(tick(p, 2000, -1), null);
  assert.is(tick(p, 301_000, -1)?.action, 'curtail');
});

test('setpoints parse; the curtail level wins over the setpoint; the deduper ignores noise', () => {
  assert.equal(parseSetpoint('2500'), { watts: 2500 });
  assert.equal(parseSetpoint('{"watts": 1800}'), { watts: 1800 });
  assert.equal(parseSetpoint('null'), { watts: null });
  assert.is(parseSetpoint('10'), null);
  assert.is(parseSetpoint('lots'), null);
  assert.is(wantedPowerTarget({ curtailW: 1000, setpointW: 800, recommendedW: 3000 }), 800);
  assert.is(wantedPowerTarget({ curtailW: 1000, setpointW: 2000, recommendedW: null }), 1000);
  assert.is(wantedPowerTarget({ curtailW: null, setpointW: null, recommendedW: 3000 }), 3000);
  const d = new TargetDeduper(10);
  assert.not.ok(d.needs(null));
  assert.ok(d.needs(2000));
  d.done(2000);
  assert.not.ok(d.needs(2015));
  assert.ok(d.needs(2030));
  assert.ok(d.needs(null));
});

test.run();
