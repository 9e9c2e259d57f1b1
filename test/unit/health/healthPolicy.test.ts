import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HealthPolicy } from '../../../src/health/healthPolicy';
import { checkFan, checkPsu, checkRegulator, checkSensor, StuckDetector } from '../../../src/health/hwFaults';

const P = { maxReinitsPerHour: 2, freqStepMHz: 25, minFreqMHz: 300, deadChipsForReinit: 3, deadGraceMs: 5000 };

test('one dead chip is disabled; several at once get one chain re-init, then are disabled if they die again', () => {
  const q = new HealthPolicy(P);
  assert.equal(q.onChip(1000, 1, 9, 'dead', 'no_results', 384, 1), [], 'a grace period first: others may be dying too');
  assert.equal(q.onChip(5999, 1, 9, 'dead', 'no_results', 384, 1), []);
  assert.equal(q.onChip(6000, 1, 9, 'dead', 'no_results', 384, 1).map((a) => a.kind), ['disable_chip']);
  assert.ok(q.isDisabled(1, 9));
  const p = new HealthPolicy(P);
  assert.equal(p.onChip(1000, 0, 5, 'dead', 'no_results', 384, 3).map((a) => a.kind), ['reinit_chain']);
  assert.equal(p.onChip(1000, 0, 6, 'dead', 'no_results', 384, 3), [], 'chips dead in the same round wait for that re-init');
  assert.equal(p.onChip(9000, 0, 7, 'dead', 'no_results', 384, 3), [], 'and so do chips found dead while it runs');
  p.reinitDone(0);
  p.onChip(20_000, 0, 6, 'unknown', 'not_mining', 384, 0); // chain re-initialised: judged afresh
  p.onChip(25_000, 0, 6, 'ok', 'ok', 384, 0); // chip 6 came back
  assert.equal(p.onChip(60_000, 0, 5, 'dead', 'no_results', 384, 1).map((a) => a.kind), ['disable_chip'], 'dead again after the re-init');
  assert.equal(p.onChip(60_000, 0, 6, 'dead', 'no_results', 384, 1), [], 'chip 6 recovered, so it gets the grace period again');
  assert.ok(p.isDisabled(0, 5));
  assert.equal(p.onChip(70_000, 0, 5, 'dead', 'no_results', 384), [], 'a disabled chip asks for nothing more');
});

test('re-inits are bounded per hour; a failed chain without re-inits left is powered off', () => {
  const p = new HealthPolicy(P);
  const fail = [{ kind: 'no_chips' as const, message: 'no chip answers' }];
  assert.is(p.onChain(0, 1, 'failed', fail)[0].kind, 'reinit_chain');
  assert.is(p.onChain(1000, 1, 'failed', fail)[0].kind, 'reinit_chain');
  const off = p.onChain(2000, 1, 'failed', fail);
  assert.equal(off.map((a) => a.kind), ['power_off_board']);
  assert.ok(p.isPoweredOff(1));
  assert.equal(p.onChain(3000, 1, 'failed', fail), []);
  p.resetBoard(1);
  assert.is(p.onChain(4000, 1, 'failed', fail)[0].kind, 'reinit_chain');
  // a degraded chain with missing chips re-inits within budget, and does nothing once out of budget
  const q = new HealthPolicy(P);
  const miss = [{ kind: 'chips_missing' as const, message: '70 of 72' }];
  q.onChain(0, 0, 'degraded', miss);
  q.onChain(1, 0, 'degraded', miss);
  assert.equal(q.onChain(2, 0, 'degraded', miss), []);
  assert.is(q.onChain(3600_001, 0, 'degraded', miss)[0].kind, 'reinit_chain', 'the budget refills after an hour');
});

test('HW errors lower a chip one frequency step, down to the floor, then disable it', () => {
  const p = new HealthPolicy(P);
  const a = p.onChip(0, 2, 3, 'degraded', 'hw_errors', 384);
  assert.equal(a, [{ kind: 'lower_chip_freq', chain: 2, chip: 3, toMHz: 359, reason: 'HW errors above limit' }]);
  assert.is(p.onChip(0, 2, 3, 'degraded', 'hw_errors', 310)[0].kind, 'disable_chip');
  assert.equal(p.onChip(0, 2, 4, 'degraded', 'slow', 384), [], 'slow is an alert only');
  assert.equal(p.onChip(0, 2, 4, 'ok', 'ok', 384), []);
});

test('a lowered chip ok for recoverAfterMs gets its steps back, the last one lifting the cap; failed recoveries double the wait, then stop it', () => {
  const H = 3600_000;
  const p = new HealthPolicy({ ...P, recoverAfterMs: H, maxRecoverFailures: 2 });
  const ok = (n: number) => Array.from({ length: n }, () => 'ok' as const);
  const states = ok(8);
  // Lowered twice (two degradations): 400 -> 375 -> 350.
  assert.is(p.onChip(0, 0, 5, 'degraded', 'hw_errors', 400)[0].kind, 'lower_chip_freq');
  p.onChip(60_000, 0, 5, 'ok', 'ok', 375);
  assert.is(p.onChip(120_000, 0, 5, 'degraded', 'hw_errors', 375)[0].kind, 'lower_chip_freq');
  assert.is(p.recovery(0, 5)!.steps, 2);
  const freqs = Array.from({ length: 8 }, () => 400 as number | null);
  freqs[5] = 350;
  // Still degraded: no clock runs.
  assert.equal(p.onTick(200_000, 0, states.map((s, i) => (i === 5 ? 'degraded' : s)), freqs), []);
  // ok from t = 300 s: nothing before an hour of ok, one step at the hour.
  assert.equal(p.onTick(300_000, 0, states, freqs), []);
  assert.equal(p.onTick(300_000 + H - 1, 0, states, freqs), []);
  assert.equal(p.onTick(300_000 + H, 0, states, freqs), [{ kind: 'raise_chip_freq', chain: 0, chip: 5, toMHz: 375, reason: 'ok for 60 min since it was lowered' }]);
  freqs[5] = 375;
  assert.equal(p.onTick(300_000 + H + 5000, 0, states, freqs), [], 'the next step needs another quiet hour');
  // Degraded again 10 min after the step up: lowered again, and that counts as a failed recovery.
  const t1 = 300_000 + H + 600_000;
  assert.is(p.onChip(t1, 0, 5, 'degraded', 'hw_errors', 375)[0].kind, 'lower_chip_freq');
  assert.is(p.recovery(0, 5)!.failures, 1);
  freqs[5] = 350;
  p.onTick(t1 + 1000, 0, states, freqs); // ok again from here
  assert.equal(p.onTick(t1 + 1000 + H, 0, states, freqs), [], 'the wait doubled');
  assert.equal(p.onTick(t1 + 1000 + 2 * H, 0, states, freqs).map((a) => (a.kind === 'raise_chip_freq' ? a.toMHz : a.kind)), [375]);
  freqs[5] = 375;
  // Fine this time: an hour later (wait still doubled: 2 h) the last step lifts the cap.
  const t2 = t1 + 1000 + 2 * H;
  assert.equal(p.onTick(t2 + H, 0, states, freqs), []);
  assert.equal(p.onTick(t2 + 2 * H, 0, states, freqs), [{ kind: 'raise_chip_freq', chain: 0, chip: 5, toMHz: null, reason: 'ok for 120 min since it was lowered: cap lifted' }]);
  assert.equal(p.onTick(t2 + 10 * H, 0, states, freqs), [], 'nothing left to give back');
  // Another chip fails its recoveries twice: it stays lowered for good.
  const q = new HealthPolicy({ ...P, recoverAfterMs: H, maxRecoverFailures: 2 });
  const f2 = Array.from({ length: 8 }, () => 400 as number | null);
  let t = 0;
  q.onChip(t, 1, 2, 'degraded', 'hw_errors', 400);
  for (let k = 0; k < 2; k++) {
    q.onTick((t += 1000), 1, states, f2);
    const up = q.onTick((t += H * 2 ** k), 1, states, f2);
    assert.is(up.length, 1, `recovery attempt ${k + 1}`);
    q.onChip((t += 60_000), 1, 2, 'degraded', 'hw_errors', 400);
  }
  assert.is(q.recovery(1, 2)!.failures, 2);
  q.onTick((t += 1000), 1, states, f2);
  assert.equal(q.onTick(t + 100 * H, 1, states, f2), [], 'after maxRecoverFailures the chip stays lowered');
  // Off by default (no recoverAfterMs), and in report mode nothing was lowered to give back.
  const off = new HealthPolicy(P);
  off.onChip(0, 0, 1, 'degraded', 'hw_errors', 400);
  assert.equal(off.onTick(100 * H, 0, states, freqs), []);
  const report = new HealthPolicy({ ...P, recoverAfterMs: H, act: false });
  report.onChip(0, 0, 1, 'degraded', 'hw_errors', 400);
  assert.equal(report.onTick(100 * H, 0, states, freqs), []);
});

test('hardware checks: regulator faults power the board off; sensors, fans and PSU are named', () => {
  const p = new HealthPolicy(P);
  const f = checkRegulator(3, 9.885, { error: 'NACK' })!;
  assert.is(f.kind, 'regulator_no_answer');
  assert.equal(p.onHardwareFault(f).map((a) => a.kind), ['power_off_board']);
  assert.equal(p.onHardwareFault(f), [], 'once');
  assert.is(checkRegulator(0, 9.885, { volts: 9.5 })!.kind, 'regulator_mismatch');
  assert.is(checkRegulator(0, 9.885, { volts: 9.88 }), null);
  assert.is(checkSensor('chain0.sensor0', 0, { error: 'NACK' })!.kind, 'sensor_missing');
  assert.is(checkSensor('chain0.sensor0', 0, { tempC: 0 })!.kind, 'sensor_implausible');
  assert.is(checkSensor('chain0.sensor0', 0, { tempC: 64.5 }), null);
  assert.is(checkFan('fan0', 0.7, 0, 4300)!.kind, 'fan_stalled');
  assert.is(checkFan('fan0', 0.7, 1500, 4300)!.kind, 'fan_slow');
  assert.is(checkFan('fan0', 0.7, 3000, 4300), null);
  assert.is(checkFan('fan0', 0.05, 0, 4300), null, 'fans may stop below 10 % duty');
  assert.is(checkPsu({ voutV: 10.8 }, 12)!.kind, 'psu_sag');
  assert.is(checkPsu({ voutV: 12.0 }, 12), null);
  assert.is(checkPsu({ error: 'NACK' }, 12)!.kind, 'psu_no_answer');
  const s = new StuckDetector(60_000);
  assert.is(s.push(0, 60.0625, true), false);
  assert.is(s.push(30_000, 60.0625, true), false);
  assert.is(s.push(60_000, 60.0625, true), true);
  assert.is(s.push(61_000, 60.125, true), false);
  assert.is(s.push(200_000, 60.125, false), false, 'an unpowered board is not judged');
});

test('act false (actions "report"): the same decisions, each once, none taken for done; back to act: decided again', () => {
  const p = new HealthPolicy({ ...P, act: false });
  assert.is(p.acting, false);
  p.onChip(0, 0, 4, 'dead', 'no_results', 384, 1);
  assert.equal(p.onChip(5000, 0, 4, 'dead', 'no_results', 384, 1).map((a) => a.kind), ['disable_chip']);
  assert.is(p.isDisabled(0, 4), false, 'advised, not disabled');
  assert.equal(p.onChip(10_000, 0, 4, 'dead', 'no_results', 384, 1), [], 'advised once, not every round');
  p.onChip(20_000, 0, 4, 'ok', 'ok', 384, 0);
  p.onChip(30_000, 0, 4, 'dead', 'no_results', 384, 1);
  assert.equal(p.onChip(35_000, 0, 4, 'dead', 'no_results', 384, 1).map((a) => a.kind), ['disable_chip'], 'recovered, died again: advised again');
  const hw = { kind: 'regulator_mismatch' as const, part: 'chain2.regulator', board: 2, severity: 'critical' as const, message: 'reads 9.1 V' };
  assert.equal(p.onHardwareFault(hw).map((a) => a.kind), ['power_off_board']);
  assert.is(p.isPoweredOff(2), false);
  assert.equal(p.onHardwareFault(hw), []);
  p.configure({ ...P, act: true });
  assert.equal(p.onChip(40_000, 0, 4, 'dead', 'no_results', 384, 1).map((a) => a.kind), ['disable_chip'], 'now done');
  assert.ok(p.isDisabled(0, 4));
  assert.equal(p.onHardwareFault(hw).map((a) => a.kind), ['power_off_board']);
  assert.ok(p.isPoweredOff(2));
});

test.run();
