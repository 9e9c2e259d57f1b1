import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ledger, parseLedger } from '../../../src/economics/ledger';
import { recommend, type CurvePoint } from '../../../src/economics/recommend';
import { revenuePerDay } from '../../../src/economics/profit';

const t0 = Date.parse('2026-11-30T00:00:00Z');

test('the ledger integrates energy, revenue and cost into 1 h / 24 h / 30 d windows and days/months', () => {
  const l = new Ledger();
  // 1000 W for 48 h in 10 s ticks, revenue 2.4/day, price 0.1/kWh
  for (let t = 10_000; t <= 48 * 3_600_000; t += 10_000) l.add({ nowMs: t0 + t, dtMs: 10_000, powerW: 1000, revenuePerDay: 2.4, pricePerKwh: 0.1 });
  const now = t0 + 48 * 3_600_000;
  const h = l.window(now, 3_600_000);
  assert.ok(Math.abs(h.kwh - 1) < 0.02, String(h.kwh));
  const d = l.window(now, 86_400_000);
  assert.ok(Math.abs(d.kwh - 24) < 0.01, String(d.kwh));
  assert.ok(Math.abs(d.revenue - 2.4) < 0.01);
  assert.ok(Math.abs(d.margin - (2.4 - 2.4)) < 0.01);
  assert.ok(Math.abs(l.window(now, 30 * 86_400_000).kwh - 48) < 0.01);
  assert.ok(l.window(now, 30 * 86_400_000).coverage < 0.1);
  const days = l.energyByDay();
  assert.equal(days.map((x) => x.day), ['2026-11-30', '2026-12-01', '2026-12-02']);
  assert.ok(Math.abs(days[0]!.kwh - 24) < 0.01);
  const months = l.energyByMonth();
  assert.equal(months.map((m) => m.month), ['2026-11', '2026-12']);
});

test('a gap (daemon stopped) is not integrated; unknown revenue is a gap, not a zero', () => {
  const l = new Ledger();
  l.add({ nowMs: t0 + 3_600_000, dtMs: 3_600_000, powerW: 1000, revenuePerDay: 1, pricePerKwh: 0.1 });
  assert.is(l.window(t0 + 3_600_000, 86_400_000).kwh, 0);
  l.add({ nowMs: t0 + 3_610_000, dtMs: 10_000, powerW: 1000, revenuePerDay: null, pricePerKwh: 0.1 });
  const w = l.window(t0 + 3_610_000, 3_600_000);
  assert.ok(w.kwh > 0);
  assert.is(w.coverage, 0);
});

test('a saved ledger round-trips; malformed buckets are dropped and said', () => {
  const l = new Ledger();
  l.add({ nowMs: t0 + 10_000, dtMs: 10_000, powerW: 500, revenuePerDay: 1, pricePerKwh: 0.2 });
  const back = parseLedger(JSON.parse(JSON.stringify(l.toJSON())));
  assert.is(back.problem, undefined);
  assert.equal(new Ledger(back).energyByDay(), l.energyByDay());
  const bad = parseLedger({ hours: [{ at: 1 }, ...l.hours], days: 'x' });
  assert.is(bad.hours.length, 1);
  assert.match(bad.problem!, /1 malformed/);
  assert.match(parseLedger(null).problem!, /not an object/);
});

const market = { ltcDifficulty: 4e7, ltcReward: 6.25, ltcPrice: 80, dogeDifficulty: 2e7, dogeReward: 10_000, dogePrice: 0.15, poolFeePct: 1 };
const curve: CurvePoint[] = [
  { label: 'max preset', hashrateHps: 10e9, wallPowerW: 3900, apply: { kind: 'power', watts: 3900 } },
  { label: 'power 3000 W', hashrateHps: 9e9, wallPowerW: 3000, apply: { kind: 'power', watts: 3000 } },
  { label: 'eco preset', hashrateHps: 7.6e9, wallPowerW: 2300, apply: { kind: 'power', watts: 2300 } },
  { label: 'off', hashrateHps: 0, wallPowerW: 0, apply: { kind: 'pause' } },
];

test('the recommendation is the highest-margin point, not the fastest, with the gain over now', () => {
  const price = 0.2;
  const r = recommend({ curve, market, pricePerKwh: price, acceptedRatio: 1, current: { acceptedHps: 10e9, wallPowerW: 3900 } })!;
  const margin = (p: CurvePoint) => revenuePerDay(p.hashrateHps, market).revenue! - (p.wallPowerW * 24 * price) / 1000;
  const best = curve.reduce((a, b) => (margin(b) > margin(a) ? b : a));
  assert.is(r.best.label, best.label);
  assert.is.not(best.label, 'max preset');
  assert.ok(Math.abs(r.gainPerDay! - (margin(best) - margin(curve[0]!))) < 1e-9);
  assert.match(r.text, new RegExp(`^${best.label}: \\+\\$${r.gainPerDay!.toFixed(2)}/day at your tariff`));
  // at a tariff where nothing pays, the answer is off
  assert.is(recommend({ curve, market, pricePerKwh: 5, acceptedRatio: 1, current: null })!.best.label, 'off');
  // without prices there is no recommendation
  assert.is(recommend({ curve, market: {}, pricePerKwh: 0.1, acceptedRatio: 1, current: null }), null);
});

test.run();
