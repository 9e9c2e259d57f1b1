/**
 * Every simulator fault that bears on thermal safety: the firmware detects it, powers the board
 * off (by the simulator's TRUE state) and reports it as a trip event with its reason. The
 * invariant (no board powered > 1 s at/above dangerous) is checked on every step.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { thermalRig } from './thermalHarness';

type Spec = { fault: string; target: Record<string, number>; params?: Record<string, unknown> };
const cases: Array<{ name: string; specs: Spec[]; reason: string; boards: number[]; withinMs: number }> = [
  { name: 'sensor stuck -> frozen_reading', specs: [{ fault: 'sensor-stuck', target: { chain: 1, sensor: 0 } }], reason: 'frozen_reading', boards: [1], withinMs: 32000 },
  { name: 'sensor absent -> stale_reading', specs: [{ fault: 'sensor-absent', target: { chain: 2, sensor: 0 } }], reason: 'stale_reading', boards: [2], withinMs: 2600 },
  { name: 'sensor implausible (0 C, the failed-sensor value) -> implausible_reading', specs: [{ fault: 'sensor-implausible', target: { chain: 0, sensor: 0 } }], reason: 'implausible_reading', boards: [0], withinMs: 600 },
  { name: 'both fans seized -> fans_stopped', specs: [{ fault: 'fan-seized', target: { fan: 0 } }, { fault: 'fan-seized', target: { fan: 1 } }], reason: 'fans_stopped', boards: [0, 1, 2, 3], withinMs: 8000 },
  { name: 'both tachs lost -> fans_stopped', specs: [{ fault: 'tach-lost', target: { fan: 0 } }, { fault: 'tach-lost', target: { fan: 1 } }], reason: 'fans_stopped', boards: [0, 1, 2, 3], withinMs: 3000 },
  { name: 'regulator not answering -> regulator_fault', specs: [{ fault: 'regulator-fault', target: { chain: 3 }, params: { mode: 'no-answer' } }], reason: 'regulator_fault', boards: [3], withinMs: 1000 },
  { name: 'board unplugged (PIC and sensor gone) -> regulator_fault', specs: [{ fault: 'chain-unplugged', target: { chain: 2 } }], reason: 'regulator_fault', boards: [2], withinMs: 2600 },
  { name: 'ambient +60 C -> over_temp', specs: [{ fault: 'ambient-step', target: {}, params: { delta_c: 60 } }], reason: 'over_temp', boards: [0, 1, 2, 3], withinMs: 600000 },
];

for (const c of cases) {
  test(c.name, async () => {
    const seed = 100 + cases.indexOf(c);
    const r = await thermalRig(seed, { timeScale: 10 });
    try {
      r.ctl.start();
      await r.run(20000); // settle
      assert.equal(r.ctl.snapshot().boards.map((b) => b.tripped), [null, null, null, null], `no trip before the fault (seed ${seed})`);
      const trips: Array<{ board: number; reason: string; atMs: number }> = [];
      r.ctl.events.on('trip', (t) => trips.push(t));
      const t0 = r.clock.now();
      for (const s of c.specs) r.sim.control.inject({ fault: s.fault, target: s.target, params: s.params ?? {} } as never);
      while (r.clock.now() - t0 < c.withinMs && !c.boards.every((b) => !r.sim.control.state().chains[b].powered && trips.some((t) => t.board === b))) await r.run(250);
      const st = r.sim.control.state();
      for (const b of c.boards) {
        assert.is(st.chains[b].powered, false, `board ${b} off by the sim's truth (seed ${seed})`);
        const t = trips.find((x) => x.board === b);
        assert.ok(t, `trip reported for board ${b}`);
        assert.is(t!.reason, c.reason);
        assert.is(r.power.lockReason(b), `interlock: ${c.reason}`);
      }
      assert.ok(r.worst() <= 1000, `invariant: powered at dangerous for ${r.worst()} ms`);
    } finally {
      await r.stop();
    }
  });
}

test('re-enable only after cool-down and release(); a locked board refuses enable', async () => {
  const r = await thermalRig(7, { timeScale: 10 });
  try {
    r.ctl.start();
    await r.run(5000);
    r.sim.control.inject({ fault: 'sensor-absent', target: { chain: 0, sensor: 0 }, params: {} } as never);
    await r.run(3000);
    assert.is(r.sim.control.state().chains[0].powered, false);
    let threw = false;
    try { await r.power.enable(0, 'test'); } catch { threw = true; }
    assert.ok(threw, 'locked board refuses enable');
    const ready: number[] = [];
    r.ctl.events.on('reinit_ready', (e) => ready.push(e.board));
    r.sim.control.clearAll();
    await r.run(10000);
    assert.is(ready.length, 0, 'not before the 30 s hold');
    assert.is(r.ctl.release(0), false);
    await r.run(40000);
    assert.equal(ready, [0]);
    assert.is(r.ctl.release(0), true);
    await r.sim.hal.gpio.reset[0].write(1); // the chain owner's clean re-init releases reset
    await r.power.enable(0, 'reinit');
    assert.is(r.sim.control.state().chains[0].powered, true);
  } finally {
    await r.stop();
  }
});

test.run();
