/** The fan PID on the simulated L3+: steady state within +/-2 C of target, no false trips, no hunting. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { thermalRig } from './thermalHarness';

test('PID holds the hottest reading within +/-2 C of target at steady state, no trips, duty quiet', async () => {
  const rig = await thermalRig(21, { timeScale: 40, ambientC: 40 });
  try {
    const trips: unknown[] = [];
    rig.ctl.events.on('trip', (t) => trips.push(t));
    rig.ctl.start();
    await rig.run(150000);
    const temps: number[] = [];
    const duties: number[] = [];
    for (let i = 0; i < 400; i++) { await rig.run(250); temps.push(rig.ctl.hottestC()!); duties.push(rig.fans.commandedDuty); }
    if (process.env.DEBUG) console.log(temps.filter((_, i) => i % 20 === 0).join(' '), trips);
    const worst = Math.max(...temps.map((t) => Math.abs(t - rig.thermal.targetC)));
    assert.ok(worst <= 2, `worst deviation ${worst} C`);
    assert.ok(Math.max(...duties) - Math.min(...duties) < 5, 'duty does not hunt');
    assert.equal(trips, [], 'a steady state is not a frozen sensor');
  } finally {
    await rig.stop();
  }
});

test('manual and immersion modes: fixed duty; immersion does not trip on stopped fans', async () => {
  const rig = await thermalRig(22, { timeScale: 10 });
  try {
    const trips: unknown[] = [];
    rig.ctl.events.on('trip', (t) => trips.push(t));
    rig.ctl.start();
    rig.ctl.setMode({ mode: 'manual', duty: 70 });
    await rig.run(5000);
    assert.is(rig.fans.commandedDuty, 70);
    rig.ctl.setMode({ mode: 'immersion' });
    await rig.run(10000);
    assert.is(rig.fans.commandedDuty, 0);
    assert.equal(trips, []);
    assert.ok(rig.sim.control.state().chains.every((c) => c.powered));
  } finally {
    await rig.stop();
  }
});

test('a seized fan is reported as failed (tach vs commanded duty)', async () => {
  const rig = await thermalRig(23, { timeScale: 10 });
  try {
    const ev: Array<{ fan: number; failed: boolean }> = [];
    rig.ctl.events.on('fan_failed', (e) => ev.push(e));
    rig.ctl.start();
    rig.ctl.setMode({ mode: 'manual', duty: 60 });
    await rig.run(5000);
    rig.sim.control.inject({ fault: 'fan-seized', target: { fan: 1 }, params: {} } as never);
    await rig.run(10000);
    assert.equal(ev.map((e) => [e.fan, e.failed]), [[1, true]]);
    assert.equal(rig.ctl.snapshot().fanFailed, [false, true]);
  } finally {
    await rig.stop();
  }
});

test('hot: throttle events step the frequency scale down (policy on the live readings)', async () => {
  const rig = await thermalRig(24, { timeScale: 40, ambientC: 45 });
  try {
    const ev: Array<{ scale: number; level: string }> = [];
    rig.ctl.events.on('throttle', (e) => ev.push(e));
    rig.ctl.start();
    rig.ctl.setMode({ mode: 'manual', duty: 12 });
    await rig.run(60000);
    assert.ok(ev.length > 0 && ev[0].scale === 0.95, `throttled: ${JSON.stringify(ev.slice(0, 3))}`);
    assert.ok(ev.every((e, i) => e.scale >= 0.5 && e.scale <= 1 && (i === 0 || Math.abs(Math.abs(e.scale - ev[i - 1].scale) - 0.05) < 1e-9)), `one 5 % step at a time: ${ev.map((e) => e.scale)}`);
    assert.is(rig.ctl.snapshot().level, 'throttled');
  } finally {
    await rig.stop();
  }
});

test.run();
