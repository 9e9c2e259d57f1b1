import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejectsWith } from '../../helpers/rejects';
import { SimI2cBus } from '../../../src/hal/sim/i2c';
import { PmbusPsu, decodeLinear11, linear11 } from '../../../src/sim/devices/pmbusPsu';


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
