import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FanModel } from '../../../src/sim/physics/fan';

test('fans: duty to RPM with inertia, tach in whole pulses, seized and tach-lost faults', () => {
  const f = new FanModel(4300, 2, 25, 2500);
  f.setDuty(0.5);
  f.step(500);
  assert.ok(f.rpm > 0 && f.rpm < 2150, 'still spinning up');
  for (let i = 0; i < 40; i++) f.step(1000);
  assert.ok(Math.abs(f.rpm - 2150) < 1);
  assert.is(f.tachRpm() % 30, 0);
  assert.ok(Math.abs(f.tachRpm() - 2150) <= 30);
  f.tachLost = true;
  assert.is(f.tachRpm(), 0);
  assert.ok(f.rpm > 2000, 'still spinning');
  f.tachLost = false;
  f.seized = true;
  for (let i = 0; i < 5; i++) f.step(1000);
  assert.is(f.rpm, 0);
  assert.throws(() => f.setDuty(Number.NaN), /0\.\.1/);
});

test.run();
