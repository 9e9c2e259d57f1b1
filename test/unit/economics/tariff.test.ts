import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inWindow, meanPrice, parseClock, parseLivePrice, priceAt, validateWindows, type TariffSpec } from '../../../src/economics/tariff';
import { KabosuError } from '../../../src/core/errors';

// 2026-12-07 is a Monday (day 1).
const at = (hhmm: string, day = '2026-12-07') => Date.parse(`${day}T${hhmm}:00Z`);
const tou: TariffSpec = {
  kind: 'schedule',
  pricePerKwh: 0.15,
  schedule: [
    { days: [1, 2, 3, 4, 5], from: '17:00', to: '21:00', pricePerKwh: 0.35 },
    { from: '23:00', to: '07:00', pricePerKwh: 0.08 },
  ],
};

test('schedule windows: start inclusive, end exclusive, weekdays, wrapping past midnight', () => {
  assert.is(priceAt(tou, at('16:59')).pricePerKwh, 0.15);
  assert.is(priceAt(tou, at('17:00')).pricePerKwh, 0.35);
  assert.is(priceAt(tou, at('20:59')).pricePerKwh, 0.35);
  assert.is(priceAt(tou, at('21:00')).pricePerKwh, 0.15);
  assert.is(priceAt(tou, at('17:30', '2026-12-06')).pricePerKwh, 0.15, 'Sunday has no peak');
  assert.is(priceAt(tou, at('23:00')).pricePerKwh, 0.08);
  assert.is(priceAt(tou, at('06:59')).pricePerKwh, 0.08);
  assert.is(priceAt(tou, at('07:00')).pricePerKwh, 0.15);
  // a weekday-only wrapping window belongs to the day it starts
  const w = { days: [5], from: '22:00', to: '02:00' };
  assert.ok(inWindow(w, at('01:00', '2026-12-12')), 'Saturday 01:00 is in Friday night');
  assert.not.ok(inWindow(w, at('01:00', '2026-12-11')), 'Friday 01:00 is Thursday night');
});

test('utcOffsetMin moves the schedule to local time', () => {
  const t: TariffSpec = { ...tou, utcOffsetMin: 60 };
  assert.is(priceAt(t, at('16:00')).pricePerKwh, 0.35); // 17:00 local
});

test('a live price is used while fresh, then falls back to the schedule, flagged stale', () => {
  const t: TariffSpec = { ...tou, kind: 'live', liveMaxAgeMs: 60_000 };
  assert.equal(priceAt(t, at('12:00'), { pricePerKwh: 0.5, ageMs: 60_000 }), { pricePerKwh: 0.5, source: 'live', quality: 'ok' });
  const s = priceAt(t, at('12:00'), { pricePerKwh: 0.5, ageMs: 60_001 });
  assert.is(s.pricePerKwh, 0.15);
  assert.is(s.quality, 'stale');
  assert.is(priceAt(t, at('12:00'), null).quality, 'stale');
});

test('the mean planned price over 24 h weights each window by its length', () => {
  // Monday from 00:00: 7 h at 0.08, 10 h at 0.15, 4 h at 0.35, 2 h at 0.15, 1 h at 0.08
  const m = meanPrice(tou, at('00:00'));
  assert.ok(Math.abs(m - (8 * 0.08 + 12 * 0.15 + 4 * 0.35) / 24) < 1e-9, String(m));
});

test('bad times are typed errors naming the entry; live payloads parse or are refused', () => {
  assert.is(parseClock('07:30'), 450);
  assert.throws(() => parseClock('24:00'), (e: unknown) => e instanceof KabosuError && e.code === 'KBS_E_ECON_TARIFF');
  assert.throws(() => validateWindows([{ from: '7:00', to: '08:00' }], 'economics.tariff.schedule'), /economics\.tariff\.schedule\[0\]/);
  assert.throws(() => validateWindows([{ days: [7], from: '07:00', to: '08:00' }], 's'), /weekday/);
  assert.is(parseLivePrice('0.21'), 0.21);
  assert.is(parseLivePrice('{"price": -0.02}'), -0.02);
  assert.is(parseLivePrice('{"pricePerKwh":"0.3"}'), 0.3);
  assert.is(parseLivePrice('cheap'), null);
  assert.is(parseLivePrice('1e400'), null);
  assert.is(parseLivePrice('[1]'), null);
  assert.is(parseLivePrice('250'), null);
});

test.run();
