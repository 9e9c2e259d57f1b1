import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejectsWith } from '../../helpers/rejects';
import { SimGpioLine } from '../../../src/hal/sim/gpio';
import { SimPwm } from '../../../src/hal/sim/pwm';
import { SimTach } from '../../../src/hal/sim/tach';


test('GPIO, PWM and tach fakes remember state and refuse bad input', async () => {
  const rst = new SimGpioLine('rst0', 'out', 1);
  const seen: number[] = [];
  rst.onChange((v) => seen.push(v));
  await rst.write(0);
  await rst.write(0);
  await rst.write(1);
  assert.equal(seen, [0, 1]);
  const plug = new SimGpioLine('plug0', 'in', 1);
  await rejectsWith(plug.write(0), 'KBS_E_GPIO_DIRECTION');
  plug.drive(0);
  assert.is(await plug.read(), 0);
  const pwm = new SimPwm('pwm1');
  await pwm.setDuty(0.4);
  assert.is(pwm.duty, 0.4);
  await rejectsWith(pwm.setDuty(1.5), 'KBS_E_PWM_DUTY');
  await rejectsWith(pwm.setDuty(Number.NaN), 'KBS_E_PWM_DUTY');
  let rpm = 1200;
  const tach = new SimTach('fan0', () => rpm);
  assert.is(await tach.readRpm(), 1200);
  rpm = 0;
  assert.is(await tach.readRpm(), 0);
  await tach.close();
  await rejectsWith(tach.readRpm(), 'KBS_E_HAL_CLOSED');
});

test.run();
