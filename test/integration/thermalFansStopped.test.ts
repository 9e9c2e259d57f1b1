/**
 * Issue #26: with the fans stopped (a fan duty of 0, seized fans) the interlock powered the boards
 * off, saw them cool within its hold time, and let their owner re-power them: ~250 ms powered
 * every 30 s with no air moving, 24 times in one run. The cool-down now also needs air (some fan
 * turning, or immersion). Checked on the simulator's TRUE state with the owner's re-init wired as
 * the thermal component wires it (release, then power on).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { thermalRig } from './thermalHarness';

async function rigWithOwner(seed: number) {
  const r = await thermalRig(seed, { timeScale: 10 });
  let powerOns = 0;
  const errors: string[] = [];
  r.ctl.events.on('reinit_ready', (e) => {
    if (!r.ctl.release(e.board)) return;
    powerOns++;
    r.power.enable(e.board, 're-init after trip').catch((err: Error) => errors.push(err.message));
  });
  return { ...r, powerOns: () => powerOns, errors };
}

const powered = (r: Awaited<ReturnType<typeof rigWithOwner>>) => r.sim.control.state().chains.filter((c) => c.powered).length;

test('fan duty 0 by command: the boards go off and stay off however cool they read; fans back: they return', async () => {
  const r = await rigWithOwner(41);
  try {
    r.ctl.start();
    await r.run(20_000);
    assert.is(powered(r), 4, 'mining before the command');
    r.ctl.setMode({ mode: 'manual', duty: 0 });
    let everPoweredAfterTrip = 0;
    const t0 = r.clock.now();
    while (r.clock.now() - t0 < 15_000 && powered(r) > 0) await r.run(250);
    assert.is(powered(r), 0, 'every board off once the fans stop');
    for (let t = 0; t < 150_000; t += 250) {
      await r.run(250);
      everPoweredAfterTrip = Math.max(everPoweredAfterTrip, powered(r));
    }
    assert.is(everPoweredAfterTrip, 0, `a board was re-powered with the fans stopped (${r.powerOns()} re-inits)`);
    assert.is(r.powerOns(), 0);
    r.ctl.setMode({ mode: 'manual', duty: 60 });
    const t1 = r.clock.now();
    while (r.clock.now() - t1 < 120_000 && r.powerOns() < 4) await r.run(250);
    assert.is(r.powerOns(), 4, `air moves again: the interlock releases every board to its owner after the cool-down (${r.powerOns()} re-inits ${r.errors.join(';')}, ${JSON.stringify(r.ctl.snapshot().boards.map((b) => b.tripped))}, rpm ${JSON.stringify(r.ctl.snapshot().fanRpm)})`);
  } finally {
    await r.stop();
  }
});

test('seized fans: no re-power while they stay seized', async () => {
  const r = await rigWithOwner(42);
  try {
    r.ctl.start();
    await r.run(20_000);
    for (const fan of [0, 1]) r.sim.control.inject({ fault: 'fan-seized', target: { fan }, params: {} } as never);
    let tripped = false;
    for (let t = 0; t < 180_000; t += 250) {
      await r.run(250);
      const n = powered(r);
      if (n === 0) tripped = true;
      if (tripped && n > 0) assert.unreachable(`board re-powered with both fans seized at +${t} ms`);
    }
    assert.ok(tripped, 'the interlock powered the boards off');
    assert.is(r.powerOns(), 0);
  } finally {
    await r.stop();
  }
});

test.run();
