import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejectsWith } from '../../helpers/rejects';
import { SimI2cBus } from '../../../src/hal/sim/i2c';
import { Tmp451, decodeTmp451, encode } from '../../../src/sim/devices/tmp451';


test('TMP451: local is the board, remote the die plus offset, in 1/16 °C', async () => {
  const bus = new SimI2cBus('chain0');
  let board = 55.3;
  const die = 71.9;
  const s = new Tmp451(() => board, () => die);
  bus.attach(0x4c, s);
  const local = decodeTmp451(await bus.readByte(0x4c, 0x00), await bus.readByte(0x4c, 0x15));
  const remote = decodeTmp451(await bus.readByte(0x4c, 0x01), await bus.readByte(0x4c, 0x10));
  assert.ok(Math.abs(local - 55.3) <= 1 / 32);
  assert.ok(Math.abs(remote - 71.9) <= 1 / 32);
  await bus.writeByte(0x4c, 0x11, 0xd8); // -40 °C offset, the stock start value
  const shifted = await bus.readByte(0x4c, 0x01);
  assert.is(shifted, 31);
  assert.is(await bus.readByte(0x4c, 0xfe), 0x55);
  await rejectsWith(bus.readByte(0x4c, 0x40), 'KBS_E_I2C_NACK');
  await rejectsWith(bus.writeByte(0x4c, 0x00, 1), 'KBS_E_I2C_NACK');
  s.stuck = true;
  board = 80;
  assert.is(await bus.readByte(0x4c, 0x00), 55, 'stuck keeps the old value');
  s.stuck = false;
  assert.is(await bus.readByte(0x4c, 0x00), 80);
  s.implausibleC = 0;
  assert.is(await bus.readByte(0x4c, 0x00), 0);
  s.present = false;
  await rejectsWith(bus.readByte(0x4c, 0x00), 'KBS_E_I2C_NACK');
  assert.equal(encode(200), { high: 127, low: 0xf0 });
  assert.equal(encode(-5), { high: 0, low: 0 });
});

test.run();
