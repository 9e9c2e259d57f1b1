import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { getChipFamily } from '../../../src/chips';
import { floorIndex, pllLadder } from '../../../src/tuning/ladder';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

for (const id of ['bm1485', 'bm1489'] as const) {
  test(`${id}: every ladder frequency is one the PLL makes exactly, ascending, within range`, () => {
    const fam = getChipFamily(id);
    const lad = pllLadder(fam.pllFor, 100, 2400);
    assert.ok(lad.length > 50);
    for (let i = 0; i < lad.length; i++) {
      assert.ok(Math.abs(fam.pllFor(lad[i]!).freqMHz - lad[i]!) < 1e-6, `${lad[i]} not PLL-exact`);
      if (i > 0) assert.ok(lad[i]! > lad[i - 1]!);
    }
  });
}

test('floorIndex: the highest ladder step at or below the frequency (property)', () => {
  const lad = pllLadder(getChipFamily('bm1485').pllFor, 100, 650);
  fc.assert(
    fc.property(fc.double({ min: -10, max: 1000, noNaN: true }), (mhz) => {
      const i = floorIndex(lad, mhz);
      assert.ok(i >= 0 && i < lad.length);
      if (mhz >= lad[0]!) {
        assert.ok(lad[i]! <= mhz + 1e-9);
        if (i + 1 < lad.length) assert.ok(lad[i + 1]! > mhz);
      } else assert.is(i, 0);
    }),
    { seed, numRuns: 500 },
  );
});

test.run();
