import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { resolvePointer } from '../../src/economics/jsonPointer';
import { FIELD_RANGE, MARKET_FIELDS, parseMarketPayload } from '../../src/economics/market';
import { parseLedger } from '../../src/economics/ledger';
import { parseSetpoint } from '../../src/economics/policy';
import { parseMeterPayload } from '../../src/economics/powerTruth';
import { inWindow, meanPrice, parseClock, parseLivePrice, priceAt, type TariffSpec } from '../../src/economics/tariff';
import { KabosuError } from '../../src/core/errors';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const onFail = (e: unknown): never => {
  console.error(`FUZZ_SEED=${seed}`);
  throw e;
};
const opts = { seed, numRuns: 400 };
const mapping = Object.fromEntries(MARKET_FIELDS.map((f) => [f, `/m/${f}`]));
const good = { m: { ltcDifficulty: 4e7, ltcReward: 6.25, ltcPrice: 80, dogeDifficulty: 2e7, dogeReward: 10000, dogePrice: 0.15, poolFeePct: 1 } };

test('market payloads: any text gives values within range or named problems, never a throw', () => {
  try {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ m: v }))), (text) => {
        const r = parseMarketPayload(text, mapping);
        for (const [f, v] of Object.entries(r.values)) {
          const range = FIELD_RANGE[f as keyof typeof FIELD_RANGE];
          assert.ok(Number.isFinite(v) && v >= range.min && v <= range.max, `${f}=${v}`);
        }
        assert.ok(Object.keys(r.values).length + r.problems.length >= 1);
      }),
      opts,
    );
  } catch (e) {
    onFail(e);
  }
});

test('market payloads: a good document with one field mutated loses that field only', () => {
  try {
    fc.assert(
      fc.property(fc.constantFrom(...MARKET_FIELDS), fc.oneof(fc.string(), fc.double(), fc.constant(null), fc.array(fc.integer()), fc.constant(-1), fc.constant(1e300)), (field, v) => {
        const doc = { m: { ...good.m, [field]: v } };
        const r = parseMarketPayload(JSON.stringify(doc), mapping);
        for (const f of MARKET_FIELDS) if (f !== field) assert.is(r.values[f], good.m[f]);
        const got = r.values[field];
        if (got !== undefined) assert.ok(got >= FIELD_RANGE[field].min && got <= FIELD_RANGE[field].max);
        else assert.ok(r.problems.some((p) => p.startsWith(`${field}:`)));
      }),
      opts,
    );
  } catch (e) {
    onFail(e);
  }
});

test('JSON pointers: any pointer on any document resolves or is undefined', () => {
  try {
    fc.assert(fc.property(fc.jsonValue(), fc.string(), (doc, p) => void resolvePointer(doc, p)), opts);
  } catch (e) {
    onFail(e);
  }
});

test('live price, meter and setpoint payloads: a finite, bounded value or null', () => {
  try {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.double().map(String), fc.double().map((d) => JSON.stringify({ price: d, watts: d, power: d }))), (text) => {
        const p = parseLivePrice(text);
        assert.ok(p === null || (Number.isFinite(p) && p >= -10 && p <= 100));
        const w = parseMeterPayload(text);
        assert.ok(w === null || (Number.isFinite(w) && w >= 0 && w <= 100_000));
        const s = parseSetpoint(text);
        assert.ok(s === null || s.watts === null || (Number.isFinite(s.watts) && s.watts >= 50 && s.watts <= 20_000));
      }),
      opts,
    );
  } catch (e) {
    onFail(e);
  }
});

const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

test('tariff schedules: a price from the schedule or the flat price at any time; the mean is within the prices', () => {
  try {
    fc.assert(
      fc.property(
        fc.array(fc.record({ days: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }), { nil: undefined }), from: clock, to: clock, pricePerKwh: fc.double({ min: -1, max: 2, noNaN: true }) }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: -840, max: 840 }),
        (schedule, at, off) => {
          const t: TariffSpec = { kind: 'schedule', pricePerKwh: 0.1, schedule, utcOffsetMin: off };
          const p = priceAt(t, at);
          const prices = [0.1, ...schedule.map((w) => w.pricePerKwh)];
          assert.ok(prices.includes(p.pricePerKwh));
          const m = meanPrice(t, at, 2);
          assert.ok(m >= Math.min(...prices) - 1e-9 && m <= Math.max(...prices) + 1e-9);
          // a window is either in or out; the first matching one sets the price
          const first = schedule.find((w) => inWindow(w, at, off));
          assert.is(p.pricePerKwh, first ? first.pricePerKwh : 0.1);
        },
      ),
      opts,
    );
  } catch (e) {
    onFail(e);
  }
});

test('clock strings: HH:MM parses, anything else is a typed tariff error', () => {
  try {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (s) => {
        try {
          const m = parseClock(s);
          assert.ok(/^([01]\d|2[0-3]):[0-5]\d$/.test(s) && m >= 0 && m < 1440);
        } catch (e) {
          assert.ok(e instanceof KabosuError && e.code === 'KBS_E_ECON_TARIFF');
        }
      }),
      opts,
    );
  } catch (e) {
    onFail(e);
  }
});

test('a saved ledger of any shape loads what is valid and never throws', () => {
  try {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseLedger(v);
        for (const b of [...r.hours, ...r.days]) assert.ok(Number.isFinite(b.kwh) && b.kwh >= 0);
      }),
      opts,
    );
  } catch (e) {
    onFail(e);
  }
});

test.run();
