import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SimI2cBus } from '../../../src/hal/sim/i2c';
import { At24c02, decodeIdentity, encodeIdentity } from '../../../src/sim/devices/eeprom';
import type { BoardIdentity } from '../../../src/sim/devices/eeprom';

const ID: BoardIdentity = { model: 'Antminer L7', serial: 'SIM-L7-0-1234', chipFamily: 'bm1489', chipsPerChain: 120, stockFreqMHz: 1850, stockVoltageMv: 14700 };

test('EEPROM: identity reads back through the bus; page writes wrap inside 8 bytes', async () => {
  const bus = new SimI2cBus('i2c-0');
  const e = new At24c02(ID);
  bus.attach(0x54, e);
  await bus.i2cWrite(0x54, Uint8Array.of(0));
  const image = Buffer.concat([await bus.i2cRead(0x54, 128), await bus.i2cRead(0x54, 128)]);
  assert.equal(decodeIdentity(image), ID);
  await bus.writeBlock(0x54, 0x46, Uint8Array.of(1, 2, 3, 4));
  assert.equal([...e.bytes.subarray(0x46, 0x48)], [1, 2]);
  assert.equal([...e.bytes.subarray(0x40, 0x42)], [3, 4], 'wrapped to the page start');
  assert.is(decodeIdentity(e.bytes), null, 'CRC no longer matches');
});

test('fuzz: decodeIdentity never throws; it accepts exactly the images encodeIdentity makes', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (b) => {
      const r = decodeIdentity(b);
      return r === null || encodeIdentity(r).equals(Buffer.from(b));
    }),
    { seed, numRuns: 500 },
  );
});

test.run();
