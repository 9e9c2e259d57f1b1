import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getChipFamily, CHIP_FAMILIES, ticketDifficultyOfMask, nonceOrigin } from '../../../src/chips';
import { espMinerDividers } from '../../../src/chips/common/pllSearch';
import vectors from '../../vectors/chips/frames.json';

test('BM1485 uses the stock table rows (chips.md §7.1) and decodes them with the divider formula', () => {
  const fam = getChipFamily('bm1485');
  for (const [mhz, hex] of vectors.bm1485Pll as [number, string][]) {
    const p = fam.pllFor(mhz);
    assert.is(p.value, parseInt(hex, 16), `${mhz} MHz`);
    assert.ok(Math.abs((fam.freqFromPll(p.value) as number) - mhz) < 0.5, `${mhz}`);
  }
});

test('BM1485 off-table frequencies land within half a grid step and clamp to 100..650', () => {
  const fam = getChipFamily('bm1485');
  for (let f = 270; f <= 650; f += 7) assert.ok(Math.abs(fam.pllFor(f).freqMHz - f) <= 25 / 12 + 1e-9, `${f}`);
  assert.is(fam.pllFor(5000).freqMHz, 650);
  assert.is(fam.freqFromPll(0x00000000), null);
});

test('BM1489 PLL matches the decompiled examples (chips.md §7.3)', () => {
  const fam = getChipFamily('bm1489');
  for (const [mhz, hex] of vectors.bm1489Pll as [number, string][]) {
    assert.is(fam.pllFor(mhz).value, parseInt(hex, 16), `${mhz}`);
    assert.is(fam.freqFromPll(parseInt(hex, 16)), mhz);
  }
});

test('ESP-Miner divider search: 450 MHz in fb 60..200 gives fb 72, refdiv 2, pd1 2, pd2 1', () => {
  assert.equal(espMinerDividers(450, 60, 200), { fb: 72, ref: 2, pd1: 2, pd2: 1 });
  const fam = getChipFamily('bm1366');
  for (const f of [400, 485, 525, 600]) {
    const p = fam.pllFor(f);
    assert.ok(Math.abs((fam.freqFromPll(p.value) as number) - f) < 5, `${f}`);
  }
});

test('ticket mask writes decode back to mask + 1 = the ticket difficulty, in every family', () => {
  for (const id of CHIP_FAMILIES) {
    const fam = getChipFamily(id);
    for (const d of [1, 2, 256, 2048, 65536]) {
      let mask = 0;
      for (const w of fam.ticketMaskWrites(d)) mask = fam.ticketMaskAfterWrite(w.reg, w.value, mask) ?? mask;
      assert.is(ticketDifficultyOfMask(mask), d, `${id} ${d}`);
    }
  }
  // chips.md §3.2: diff 256 -> 00 00 00 FF, diff 512 -> 00 00 80 FF
  assert.equal(getChipFamily('bm1366').ticketMaskWrites(512), [{ reg: 0x14, value: 0x000080ff }]);
});

test('baud writes give the bt8d rates of chips.md §8 and the chip decodes them', () => {
  const b = getChipFamily('bm1485').baudWrites(115200);
  assert.is(b.writes[0].value, 0x41403a10);
  assert.is(Math.round(b.actualBaud), 115741);
  const l7 = getChipFamily('bm1489').baudWrites(3_000_000);
  assert.is(l7.actualBaud, 3_125_000);
  assert.is(getChipFamily('bm1489').baudAfterWrite(l7.writes[0].reg, l7.writes[0].value), 3_125_000);
  const fast = getChipFamily('bm1366').baudWrites(1_000_000);
  assert.equal(fast.writes, [{ reg: 0x28, value: 0x11300200 }]);
});

test('BM1485 core clock-enable writes open the 12 core codes 0-5 and 8-13', () => {
  const fam = getChipFamily('bm1485');
  const codes = fam.coreEnableWrites().flatMap((w) => fam.coresOpenedByWrite(w.reg, w.value) as number[]);
  assert.equal(codes, [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13]);
  assert.equal(fam.coresOpenedByWrite(0x3c, 0x000d0001), [13]);
});

test('nonce bit layout: BM1485 core:4|addr:8|counter:20; BM1489 core:7|addr:8|counter:17', () => {
  assert.equal(nonceOrigin(getChipFamily('bm1485'), 0xd0312345), { chipAddress: 0x03, core: 13 });
  assert.equal(nonceOrigin(getChipFamily('bm1489'), (5 << 25) | (0xee << 17) | 0x1ffff), { chipAddress: 0xee, core: 5 });
});

test.run();
