import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejectsWith } from '../../helpers/rejects';
import { SimI2cBus, I2cNack } from '../../../src/hal/sim/i2c';
import { KabosuError } from '../../../src/core/errors';


test('i2c: an absent address NACKs with a typed error naming bus and address', async () => {
  const bus = new SimI2cBus('i2c-0');
  try {
    await bus.readByte(0x51, 0);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, I2cNack);
    assert.match((e as Error).message, '0x51');
    assert.equal((e as KabosuError).context, { bus: 'i2c-0', addr: 0x51 });
  }
  await rejectsWith(bus.writeByte(0x80, 0, 0), 'KBS_E_I2C_ARG');
  await rejectsWith(bus.writeByte(0x10, 0x100, 0), 'KBS_E_I2C_ARG');
  await rejectsWith(bus.readBlock(0x10, 0, 33), 'KBS_E_I2C_ARG');
  await bus.close();
  await rejectsWith(bus.readByte(0x10, 0), 'KBS_E_HAL_CLOSED');
});

test.run();
