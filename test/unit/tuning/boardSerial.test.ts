import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/hal/clock';
import { createSimMiner } from '../../../src/sim';
import { encodeIdentity } from '../../../src/sim/devices/eeprom';
import { readBoardSerial, serialFromImage } from '../../../src/tuning/boardSerial';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const id = { model: 'l7', serial: 'SN-0042', chipFamily: 'bm1489' as const, chipsPerChain: 120, stockFreqMHz: 1850, stockVoltageMv: 14700 };

test('the serial is read from each simulated L7 board EEPROM over I2C; distinct per board', async () => {
  const sim = createSimMiner({ boardId: 'l7', seed: 9, clock: new VirtualClock() });
  const ee = sim.board.hashBoard.eeprom!;
  const serials = await Promise.all(ee.addresses.map((a) => readBoardSerial(sim.hal.i2c[ee.bus]!, a)));
  assert.ok(serials.every((s) => typeof s === 'string' && s.length > 0), JSON.stringify(serials));
  assert.is(new Set(serials).size, serials.length);
  assert.is(await readBoardSerial(sim.hal.i2c[ee.bus]!, 0x7f), null, 'nothing at that address');
  await sim.stop();
});

test('magic, CRC and printable serial are checked; any corrupted byte is refused', () => {
  const img = encodeIdentity(id);
  assert.is(serialFromImage(img), 'SN-0042');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 }), (pos, x) => {
      const bad = Buffer.from(img);
      bad[pos] = bad[pos]! ^ x;
      assert.is(serialFromImage(bad), null);
    }),
    { seed, numRuns: 300 },
  );
  assert.is(serialFromImage(Buffer.alloc(256, 0xff)), null, 'blank EEPROM');
  assert.is(serialFromImage(Buffer.alloc(10)), null, 'short');
});

test.run();
