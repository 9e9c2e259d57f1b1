import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimI2cBus } from '../../../src/hal/sim/i2c';
import { KabosuError } from '../../../src/core/errors';
import { PmbusPsu, decodeLinear11, linear11 } from '../../../src/sim/devices/pmbusPsu';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, KabosuError);
    assert.is((e as KabosuError).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

/** Sends a PIC command the stock way: one byte per I2C write. */

test('PMBus PSU: input power and voltages in LINEAR11/LINEAR16 through SMBus words', async () => {
  const bus = new SimI2cBus('i2c-0');
  const psu = new PmbusPsu(() => ({ vinV: 230, voutV: 12.1, pinW: 812.5, poutW: 747 }));
  bus.attach(0x58, psu);
  assert.ok(Math.abs(decodeLinear11(await bus.readWord(0x58, 0x97)) - 812.5) / 812.5 < 0.002);
  assert.ok(Math.abs(decodeLinear11(await bus.readWord(0x58, 0x88)) - 230) < 0.5);
  const mode = await bus.readByte(0x58, 0x20);
  const exp = (mode & 0x1f) << 27 >> 27;
  assert.ok(Math.abs((await bus.readWord(0x58, 0x8b)) * 2 ** exp - 12.1) < 0.01);
  await rejectsWith(bus.readWord(0x58, 0x42), 'KBS_E_I2C_NACK');
  await rejectsWith(bus.writeByte(0x58, 0x97, 1), 'KBS_E_I2C_NACK');
  for (const v of [0.001, 1, 3425.7, 65000, -3]) {
    const back = decodeLinear11(linear11(v));
    assert.ok(Math.abs(back - v) <= Math.abs(v) * 0.001 + 0.001, `${v} -> ${back}`);
  }
});

test.run();
