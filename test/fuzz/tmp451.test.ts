/** Fuzz the TMP451 decoding and reading: any bytes a bus returns give a number in range or a typed error, never a crash. */
import { test } from 'uvu';
import fc from 'fast-check';
import { KabosuError } from '../../src/core/errors';
import type { I2cBus } from '../../src/hal/types';
import { decodeTmp451, readTmp451 } from '../../src/hashboard/tmp451';

const SEED = Number(process.env.FUZZ_SEED ?? 451);

test('decodeTmp451: bytes 0..255 decode into 0..255.9375; anything else is a typed error', () => {
  fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer(), fc.double()), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer(), fc.double()), (h, l) => {
    const ok = Number.isInteger(h) && h >= 0 && h <= 255 && Number.isInteger(l) && l >= 0 && l <= 255;
    try {
      const t = decodeTmp451(h, l);
      return ok && t >= 0 && t <= 255.9375 && t === h + (l >> 4) / 16;
    } catch (e) {
      return !ok && e instanceof KabosuError && e.code === 'KBS_E_THERMAL_BAD_READING';
    }
  }), { seed: SEED, numRuns: 2000 });
});

test('readTmp451 over a hostile bus: a reading or a typed KBS_E_THERMAL_* error', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: -5, max: 300 }), fc.constant(Number.NaN), fc.constant('throw' as const)), { minLength: 4, maxLength: 4 }), async (vals) => {
    let i = 0;
    const bus = { readByte: async () => { const v = vals[i++]; if (v === 'throw') throw new Error('NACK'); return v; } } as unknown as I2cBus;
    try {
      const r = await readTmp451(bus);
      return Number.isFinite(r.remoteC) && Number.isFinite(r.localC);
    } catch (e) {
      return e instanceof KabosuError && e.code.startsWith('KBS_E_THERMAL_');
    }
  }), { seed: SEED, numRuns: 1000 });
});

test.run();
