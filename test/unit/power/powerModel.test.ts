import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { estimateWatts, fitPowerModel, priorModel, type PowerSample } from '../../../src/power/powerModel';
import { rampSteps } from '../../../src/power/voltageRamp';
import { decodeLinear11, decodeLinear16 } from '../../../src/power/pmbusPsu';
import { linear11 } from '../../../src/sim/devices/pmbusPsu';
import { calibrate } from '../../../src/sim/physics/calibration';
import { loadBoard } from '../../../src/config/boardLoader';

const SEED = Number(process.env.FUZZ_SEED ?? 99);

test('fit recovers the simulator calibration (C·V²·f + leakage) from noisy readback within 1 %', () => {
  const board = loadBoard('l3plus');
  const cal = calibrate(board);
  const truth = { dynamic: cal.dynamicCoeff, leakage: cal.leakageCoeff, refTempC: board.sim.referenceDieC, doublingC: board.sim.leakageDoublingC };
  const chipV = cal.stockChipV;
  const r = fc.sample(fc.tuple(fc.double({ min: 0.9, max: 1.1, noNaN: true }), fc.double({ min: 200, max: 500, noNaN: true }), fc.double({ min: 40, max: 95, noNaN: true }), fc.double({ min: -0.01, max: 0.01, noNaN: true })), { numRuns: 50, seed: SEED });
  const samples: PowerSample[] = r.map(([kv, f, t, noise]) => {
    const s = { volts: chipV * kv, freqMHz: f, tempC: t, watts: 0 };
    return { ...s, watts: estimateWatts(truth, s) * (1 + noise) };
  });
  const prior = priorModel({ volts: chipV, freqMHz: board.hashBoard.freqMHz.stock, tempC: 70, watts: 150 }, 0.2, truth.refTempC, truth.doublingC);
  const fit = fitPowerModel(samples, prior);
  let worst = 0;
  for (const s of samples) worst = Math.max(worst, Math.abs(estimateWatts(fit, s) - estimateWatts(truth, s)) / estimateWatts(truth, s));
  assert.ok(worst < 0.01, `seed ${SEED}: worst relative error ${(worst * 100).toFixed(2)} %`);
});

test('one operating point scales the prior; no or bad samples keep it', () => {
  const prior = priorModel({ volts: 10, freqMHz: 400, tempC: 70, watts: 200 }, 0.1);
  assert.ok(Math.abs(estimateWatts(prior, { volts: 10, freqMHz: 400, tempC: 70 }) - 200) < 1e-9);
  const one = fitPowerModel([{ volts: 10, freqMHz: 400, tempC: 70, watts: 220 }, { volts: 10, freqMHz: 400, tempC: 70, watts: 220 }], prior);
  assert.ok(Math.abs(estimateWatts(one, { volts: 10, freqMHz: 400, tempC: 70 }) - 220) < 1e-6);
  assert.equal(fitPowerModel([], prior), prior);
  assert.equal(fitPowerModel([{ volts: Number.NaN, freqMHz: 1, tempC: 1, watts: 1 }], prior), prior);
});

test('soft-start ramp: steps never exceed the limit and end exactly on the target', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 15, noNaN: true }), fc.double({ min: 0, max: 15, noNaN: true }), fc.double({ min: 0.001, max: 2, noNaN: true }), (a, b, step) => {
      const s = rampSteps(a, b, step);
      assert.is(s[s.length - 1], b);
      let prev = a;
      for (const v of s) {
        assert.ok(Math.abs(v - prev) <= step + 1e-9);
        prev = v;
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
  assert.throws(() => rampSteps(1, 2, 0), RangeError);
});

test('PMBus LINEAR11 decoding inverts the encoding (fuzzed) and never throws on any word', () => {
  fc.assert(
    fc.property(fc.double({ min: 0.01, max: 4000, noNaN: true }), (v) => {
      const d = decodeLinear11(linear11(v));
      assert.ok(Math.abs(d - v) <= Math.max(v * 2e-3, 2 ** -16), `${v} -> ${d}`);
    }),
    { seed: SEED, numRuns: 500 },
  );
  fc.assert(fc.property(fc.integer(), (w) => Number.isFinite(decodeLinear11(w)) && Number.isFinite(decodeLinear16(w, w >> 3))), { seed: SEED });
  assert.is(decodeLinear16(0x1800, 0x17), 0x1800 * 2 ** -9);
});

test.run();
