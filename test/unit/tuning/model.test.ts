import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PRIOR_EXPONENT, fitPower, powerLoad, predictFreqs, voltageExponent } from '../../../src/tuning/model';

test('the voltage exponent is recovered from two characterised voltages (median over chips)', () => {
  const hi = { voltageV: 10, freqMHz: [400, 420, 0, 440] };
  const lo = { voltageV: 9.5, freqMHz: hi.freqMHz.map((f) => f * Math.pow(0.95, 2.2)) };
  assert.ok(Math.abs(voltageExponent([hi, lo]) - 2.2) < 1e-9);
  assert.is(voltageExponent([hi]), PRIOR_EXPONENT);
  const p = predictFreqs([hi, lo], 9.75);
  assert.ok(Math.abs(p[0]! - 400 * Math.pow(0.975, 2.2)) < 1e-6);
  assert.is(p[2], 0);
});

test('the power model recovers a and d by least squares; too little spread gives null', () => {
  const pts = [1e6, 1.1e6, 1.2e6, 0.9e6].map((x) => ({ x, wallW: 7e-5 * x + 60 }));
  const m = fitPower(pts)!;
  assert.ok(Math.abs(m.a - 7e-5) < 1e-12 && Math.abs(m.d - 60) < 1e-6);
  assert.is(fitPower([{ x: 1e6, wallW: 100 }]), null);
  assert.is(fitPower([{ x: 1e6, wallW: 100 }, { x: 1.001e6, wallW: 101 }]), null);
  assert.is(powerLoad({ voltageV: [2, 1], freqMHz: [[1, 2], [3]] }), 4 * 3 + 3);
});

test.run();
