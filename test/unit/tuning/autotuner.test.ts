import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getChipFamily } from '../../../src/chips';
import { loadBoard } from '../../../src/config/boardLoader';
import { Autotuner } from '../../../src/tuning/autotuner';
import { minerSpecFromBoard } from '../../../src/tuning/spec';
import type { Measurement, Settings } from '../../../src/tuning/types';

const spec = minerSpecFromBoard(loadBoard('l3plus'), getChipFamily('bm1485'));
const HPN = 8 * 65536;

/** A synthetic miner: chip i is clean below limit(i, V) MHz and fails above; exact counts, no noise. */
function measure(s: Settings, nowMs: number, o: { work?: boolean } = {}): Measurement {
  return {
    nowMs,
    windowMs: 5000,
    wallPowerW: s.voltageV.reduce((w, v, b) => w + 7e-5 * v * v * s.freqMHz[b]!.reduce((x, f) => x + f, 0), 70),
    boards: s.freqMHz.map((row, b) => ({
      boardC: 60,
      hashesPerNonce: HPN,
      chips: row.map((f, c) => {
        const limit = (420 + ((c * 13 + b * 7) % 40)) * Math.pow(s.voltageV[b]! / spec.voltage.stockV, 2.2);
        const n = o.work === false ? 0 : Math.round((spec.hpsPerMHz * f * 5) / HPN);
        return f <= limit ? { nonces: n, hwErrors: 0 } : { nonces: Math.round(n / 2), hwErrors: Math.round(n / 2) };
      }),
    })),
  };
}

function run(t: Autotuner, untilMs: number, o: { work?: boolean } = {}): number {
  let now = 0;
  let s = t.settings();
  while (now < untilMs && !t.converged) {
    now += 5000;
    s = t.update(measure(s, now, o));
  }
  return now;
}

test('pure and deterministic: the same measurements and times give the same settings', () => {
  const a = new Autotuner(spec, { kind: 'efficiency', minHashrateHps: 480e6 }, 0);
  const b = new Autotuner(spec, { kind: 'efficiency', minHashrateHps: 480e6 }, 0);
  run(a, 30 * 60_000);
  run(b, 30 * 60_000);
  assert.equal(a.settings(), b.settings());
});

test('converges within 3 phase caps; every chip ends at or under its limit, on the PLL ladder', () => {
  const t = new Autotuner(spec, { kind: 'efficiency', minHashrateHps: 480e6 }, 0);
  const took = run(t, 60 * 60_000);
  assert.ok(t.converged && took <= 18 * 60_000, `took ${took / 60000} min`);
  const s = t.settings();
  s.freqMHz.forEach((row, b) =>
    row.forEach((f, c) => {
      assert.ok(spec.ladderMHz.includes(f));
      const limit = (420 + ((c * 13 + b * 7) % 40)) * Math.pow(s.voltageV[b]! / spec.voltage.stockV, 2.2);
      assert.ok(f <= limit, `board ${b} chip ${c}: ${f} > ${limit}`);
    }),
  );
  for (const v of s.voltageV) assert.ok(v >= spec.voltage.minV - 1e-9 && v <= spec.voltage.maxV + 1e-9);
});

test('windows without work change nothing (no chip is declared dead while the pool is away)', () => {
  const t = new Autotuner(spec, { kind: 'power', maxPowerW: 600 }, 0);
  const before = JSON.stringify(t.settings());
  run(t, 10 * 60_000, { work: false });
  assert.is(JSON.stringify(t.settings()), before);
  assert.ok(t.boards.every((b) => b.dead.every((d) => !d) && b.phase === 'characterize-high'));
});

test('voltage drops only after the chips it would starve have stepped down (same settings call)', () => {
  const t = new Autotuner(spec, { kind: 'efficiency', minHashrateHps: 300e6 }, 0);
  let now = 0;
  let s = t.settings();
  for (let i = 0; i < 400 && !t.converged; i++) {
    now += 5000;
    const next = t.update(measure(s, now));
    next.voltageV.forEach((v, b) => {
      if (v < s.voltageV[b]! - 1e-9) {
        // Every chip the new settings run must be predicted good at the new voltage: the
        // tuner never asks a lower voltage with the old (higher) frequencies.
        const stillHigh = next.freqMHz[b]!.filter((f, c) => f > s.freqMHz[b]![c]! + 1e-9).length;
        assert.is(stillHigh, 0, 'no chip goes up in the same step as its voltage goes down');
      }
    });
    s = next;
  }
});

test.run();
