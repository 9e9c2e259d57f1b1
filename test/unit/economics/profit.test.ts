import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { coinsPerDay, profit } from '../../../src/economics/profit';
import { MarketCache } from '../../../src/economics/marketCache';
import { powerTruth, parseMeterPayload } from '../../../src/economics/powerTruth';
import type { PowerStatus } from '../../../src/core/minerApi';

const market = { ltcDifficulty: 4e7, ltcReward: 6.25, ltcPrice: 80, dogeDifficulty: 2e7, dogeReward: 10_000, dogePrice: 0.15, poolFeePct: 2 };

function view(values: Record<string, number>, nowMs = 0) {
  const c = new MarketCache(60_000);
  c.configure(values, 60_000);
  return c.view(nowMs);
}

test('coins per day: H x 86400 x reward / (D x 2^32)', () => {
  // 1 GH/s at difficulty 1e6, reward 1: 1e9 * 86400 / (1e6 * 2^32)
  assert.ok(Math.abs(coinsPerDay(1e9, 1e6, 1) - 86_400e9 / (1e6 * 2 ** 32)) < 1e-12);
});

test('merged mining: LTC and DOGE both count, less the pool fee; cost, margin, break-even, J/MH', () => {
  const p = profit({ acceptedHps: 9.5e9, powerW: 3425, priceNowPerKwh: 0.35, priceDayPerKwh: 0.12, market: view(market) });
  const ltc = coinsPerDay(9.5e9, 4e7, 6.25) * 0.98;
  const doge = coinsPerDay(9.5e9, 2e7, 10_000) * 0.98;
  assert.ok(Math.abs(p.ltc_per_day! - ltc) < 1e-12);
  assert.ok(Math.abs(p.doge_per_day! - doge) < 1e-9);
  const rev = ltc * 80 + doge * 0.15;
  assert.ok(Math.abs(p.revenue_per_day! - rev) < 1e-9);
  assert.ok(Math.abs(p.cost_per_day! - 3.425 * 24 * 0.12) < 1e-9);
  assert.ok(Math.abs(p.margin_now_per_day! - (rev - 3.425 * 24 * 0.35)) < 1e-9);
  assert.ok(Math.abs(p.break_even_price_per_kwh! - rev / (3.425 * 24)) < 1e-12);
  assert.ok(Math.abs(p.j_per_mh! - 3425 / 9500) < 1e-12);
  assert.is(p.quality, 'ok');
});

test('a missing input degrades the report (named), never throws', () => {
  const { dogePrice: _d, ...rest } = market;
  const p = profit({ acceptedHps: 1e9, powerW: 500, priceNowPerKwh: 0.1, priceDayPerKwh: 0.1, market: view(rest) });
  assert.is(p.quality, 'missing');
  assert.equal(p.degraded, ['dogePrice missing']);
  assert.ok(p.revenue_per_day! > 0, 'LTC still counts');
  const none = profit({ acceptedHps: null, powerW: null, priceNowPerKwh: 0.1, priceDayPerKwh: 0.1, market: view({}) });
  assert.is(none.revenue_per_day, null);
  assert.is(none.margin_per_day, null);
});

const ps: PowerStatus = { boards: [{ index: 0, enabled: true, voltage_v: 9, watts: 300, measured: false }, { index: 1, enabled: true, voltage_v: 9, watts: 100, measured: false }], wall_w: 500, measured: false, energy_kwh: 1, limit_w: null };

test('power truth: a fresh wall meter wins and scales the boards; PMBus next; else the model, each with its uncertainty', () => {
  const m = powerTruth(ps, { watts: 600, ageMs: 1000 }, { meterMaxAgeMs: 60_000, meterUncertainty: 0.01 });
  assert.is(m.source, 'wall-meter');
  assert.is(m.total_w, 600);
  assert.is(m.uncertainty_pct, 1);
  assert.is(m.boards[0]!.watts, 360);
  const stale = powerTruth(ps, { watts: 600, ageMs: 60_001 }, { meterMaxAgeMs: 60_000, meterUncertainty: 0.01 });
  assert.is(stale.source, 'model');
  assert.is(stale.uncertainty_pct, 15);
  const pm = powerTruth({ ...ps, measured: true }, null, { meterMaxAgeMs: 60_000, meterUncertainty: 0.01 });
  assert.is(pm.source, 'pmbus');
  assert.is(pm.uncertainty_pct, 2);
  assert.is(powerTruth(undefined, null, { meterMaxAgeMs: 1, meterUncertainty: 0.01 }).source, 'none');
});

test('wall meter payloads: numbers, {"power": n}, Tasmota ENERGY.Power; junk refused', () => {
  assert.is(parseMeterPayload('512.5'), 512.5);
  assert.is(parseMeterPayload('{"power_w": 700}'), 700);
  assert.is(parseMeterPayload('{"ENERGY":{"Power":812}}'), 812);
  assert.is(parseMeterPayload('-5'), null);
  assert.is(parseMeterPayload('{"power":"x"}'), null);
  assert.is(parseMeterPayload(''), null);
});

test.run();
