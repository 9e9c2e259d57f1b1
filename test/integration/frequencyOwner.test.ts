/**
 * The one owner of chip frequencies on the real pipeline: the simulated L3+ chains (UART
 * protocol, PLL registers), MinerCore bringing them up at stock and verifying nonces, and the
 * FrequencyOwner as the daemon wires it (app/frequencies.ts) taking the tuner's per-chip bases,
 * health's caps and the thermal scale. The simulator's chip registers (its true state, read
 * through its control API) must show the plan's effective values after every step. A small
 * board (2 chains x 8 chips, the L3+'s per-chip physics) keeps it short; time is virtual.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim';
import { loadBoard } from '../../src/config/boardLoader';
import type { BoardDefinition } from '../../src/config/boardSchema';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { PicOldRegulator } from '../../src/power/picOld';
import { BoardPower } from '../../src/power/boardPower';
import { MinerCore, type MinerWork } from '../../src/hashboard/minerCore';
import { bm1485RefreshMs } from '../../src/hashboard/workScheduler';
import type { FrequencyOwnerEvents } from '../../src/hashboard/frequencyOwner';
import { getAlgorithm } from '../../src/pow';
import { frequencyOwnerFor } from '../../src/app/frequencies';
import { POWER_SETTLE_MS } from '../../src/app/mining';
import { pllLadder } from '../../src/tuning/ladder';
import { SyntheticWork } from '../helpers/syntheticWork';

const log = pino({ level: process.env.KABOSU_TEST_LOG ?? 'silent' });


function smallL3(): BoardDefinition {
  const full = loadBoard('l3plus');
  const chains = 2;
  const hb = { ...full.hashBoard, chains, chipsPerChain: 8, regulator: { ...full.hashBoard.regulator, addresses: full.hashBoard.regulator.addresses.slice(0, chains) } };
  return { ...full, id: 'l3plus-small', hashBoard: hb };
}

/** Advances virtual time (20 ms steps, yielding to the host) until `p` settles; returns its value. */
async function drive<T>(clock: VirtualClock, p: Promise<T>, maxMs = 120_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then((v) => ((value = v), (done = true)), (e) => ((error = e), (done = true)));
  const end = clock.now() + maxMs;
  let k = 0;
  while (!done && clock.now() < end) {
    clock.advance(20);
    if (++k % 4 === 0) await new Promise((r) => setTimeout(r, 1));
    else await new Promise((r) => setImmediate(r));
  }
  if (!done) throw new Error(`not settled within ${maxMs} virtual ms`);
  if (error) throw error;
  return value as T;
}

test('tuner bases, health caps and thermal scale through one owner: the simulated chips run exactly the plan', async () => {
  const clock = new VirtualClock();
  const board = smallL3();
  const hb = board.hashBoard;
  const sim = createSimMiner({ board, seed: 5, clock, pow: 'scrypt-sim', ambientC: 25 });
  sim.start();
  for (const p of sim.hal.fans.pwm) p.setDuty(1);
  const reg = hb.regulator;
  const power = new BoardPower(
    Array.from({ length: hb.chains }, (_, c) => new PicOldRegulator({ bus: sim.hal.i2c[reg.bus]!, address: reg.addresses[c]!, chain: c, clock, log, codeOffsetV: reg.codeOffsetV, codeSlopeV: reg.codeSlopeV })),
    { clock, log },
  );
  const family = getChipFamily(hb.chipFamily);
  const plans = sim.hal.uarts.map((uart, c) => ({
    chain: new Chain({ family, uart, clock, log, expectedChips: hb.chipsPerChain, chain: c, reset: sim.hal.gpio.reset[c] }),
    expectedChips: hb.chipsPerChain,
    freqMHz: hb.freqMHz.stock,
    expectedHps: board.published.hashrateHps / 72 / 3 * hb.chipsPerChain,
    refreshMs: bm1485RefreshMs(hb.freqMHz.stock, Math.floor(256 / hb.chipsPerChain)),
  }));
  const pow = getAlgorithm('scrypt-sim');
  const core = new MinerCore<MinerWork>({ clock, log, plans, source: new SyntheticWork(), verify: (h, t) => pow.verify(h, t), onNonce: () => undefined, targetNoncesPerSec: 25 });
  try {
    await drive(clock, (async () => {
      for (let c = 0; c < hb.chains; c++) {
        await power.setVoltage(c, hb.voltage.stockV);
        await power.enable(c, 'test');
      }
      await clock.sleep(POWER_SETTLE_MS); // as MiningComponent: the supply settles before chain reset
      await core.start();
    })());
    assert.equal(core.chains.map((c) => c.chipsFound), [8, 8]);

    const owner = frequencyOwnerFor({ mining: { core, board }, clock, log })()!;
    const applied: FrequencyOwnerEvents['applied'][] = [];
    owner.events.on('applied', (e) => applied.push(e));
    const ladder = pllLadder(family.pllFor, hb.freqMHz.min, hb.freqMHz.max);
    const floor = (mhz: number) => ladder.filter((f) => f <= mhz + 1e-9).pop()!;
    // The simulator's truth: each chip's PLL register as the chip decoded it. The last write of a
    // change is still on the wire when setFrequency resolves: let 200 virtual ms pass first.
    const settle = () => drive(clock, new Promise<void>((r) => clock.setTimeout(r, 200)));
    const truth = (b: number) => sim.control.state().chains[b]!.chips.map((c) => c.freqMHz);
    const expectTruth = (why: string) => {
      for (let b = 0; b < hb.chains; b++) assert.equal(truth(b), owner.plan.effectiveBoard(b), `${why}: board ${b}`);
    };
    const step = async <T>(p: Promise<T>): Promise<T> => {
      const v = await drive(clock, p);
      await settle();
      return v;
    };
    const throttle = (s: number) => step(Promise.all([0, 1].map((b) => owner.setScale(b, s))));
    expectTruth('stock');
    assert.ok(truth(0).every((f) => f === 384));

    // The tuner's per-chip plan (TuningComponent sets bases through owner.setBase).
    await step(owner.setBase(0, 0, 400));
    await step(owner.setBase(0, 1, 350));
    expectTruth('tuned');
    assert.equal(truth(0).slice(0, 3), [400, 350, 384]);

    // (a) A thermal throttle to 0.9 keeps the tuner's per-chip differences.
    applied.length = 0;
    await throttle(0.9);
    const t = truth(0);
    assert.is(t[0], floor(360));
    assert.is(t[1], floor(315));
    assert.is(t[2], floor(384 * 0.9));
    assert.ok(t[0]! > t[1]! && t[0]! <= 360 && t[1]! <= 315 && t[1]! > 310, t.join(','));
    assert.ok(truth(1).every((f) => f === floor(384 * 0.9)));
    assert.ok(applied.some((e) => e.board === 1 && e.wholeChain), 'the untuned board moved as one chain (ramped broadcast)');
    assert.ok(applied.some((e) => e.board === 0 && !e.wholeChain), 'the tuned board moved chip by chip');
    expectTruth('throttled 0.9');

    // (b) Restore returns to the tuner's values.
    await throttle(1);
    assert.equal(truth(0).slice(0, 3), [400, 350, 384]);
    expectTruth('restored');

    // A deep throttle of a tuned board ramps its chips together (lockstep), not one after another:
    // 8 chips x ~8 steps of 25 MHz: 6.8 virtual s one chip at a time, ~2 s together (the 20 ms
    // drive granularity per UART write included).
    const t0 = clock.now();
    await drive(clock, owner.setScale(0, 0.5));
    const deepMs = clock.now() - t0;
    await settle();
    expectTruth('throttled 0.5');
    assert.ok(deepMs < 3000, `0.5 throttle took ${deepMs} virtual ms`);
    console.log(`frequency owner: tuned 8-chip chain 1.0 -> 0.5 in ${deepMs} virtual ms (lockstep ramp)`);
    await throttle(1);
    assert.equal(truth(0).slice(0, 3), [400, 350, 384]);

    // (c) A health cap on one chip survives a throttle and a restore; a disabled chip sits at the floor.
    await step(owner.setCap(0, 2, 300));
    await step(owner.setCap(1, 5, 'disabled'));
    assert.is(truth(0)[2], 300);
    assert.is(truth(1)[5], 100);
    await throttle(0.9);
    assert.is(truth(0)[2], floor(270));
    assert.is(truth(1)[5], 100);
    assert.equal(truth(0).slice(0, 2), [floor(360), floor(315)]);
    expectTruth('capped and throttled');
    await throttle(1);
    assert.equal(truth(0).slice(0, 3), [400, 350, 300]);
    assert.is(truth(1)[5], 100);
    expectTruth('capped and restored');

    // After a chain re-init (stock PLL again) the owner puts the plan back on that chain.
    await throttle(0.95);
    const before = core.stats.chainSnapshot(0, clock.now()).nonces;
    const ok = await step(owner.reinit(0, () => core.reinitChain(0)));
    assert.ok(ok, 'chain 0 re-initialised');
    expectTruth('after re-init');
    assert.is(truth(0)[2], floor(300 * 0.95));
    // The re-applied chain still hashes.
    await drive(clock, new Promise<void>((r) => clock.setTimeout(r, 30_000)));
    assert.ok(core.stats.chainSnapshot(0, clock.now()).nonces > before, 'chain 0 hashing after the re-init');
    const snap = owner.snapshot().boards[0]!.chips[2]!;
    assert.equal(snap, { chip: 2, baseMHz: 384, capMHz: 300, effectiveMHz: floor(285), runningMHz: floor(285) });
  } finally {
    await core.stop();
    await power.disableAll('test end');
    await sim.stop();
  }
});

test.run();
