import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { VirtualClock } from '../../../src/hal/clock';
import { HealthMonitor, type MonitoredChain } from '../../../src/health/healthMonitor';
import type { DaemonEvent } from '../../../src/core/minerApi';
import { withBoardPower } from '../../../src/health/monitoredChains';

const log = pino({ level: 'silent' });

function chain(over: Partial<MonitoredChain> = {}): MonitoredChain {
  return {
    index: 0,
    ready: true,
    chipsFound: 4,
    expectedChips: 4,
    expectedHps: 4 * 65536 * 10, // 10 nonces/s per chip at ticket difficulty 1
    ticketDifficulty: 1,
    frames: 0,
    badFrames: 0,
    chipFreqMHz: [384, 384, 384, 384],
    chips: [0, 1, 2, 3].map(() => ({ nonces: 0, hwErrors: 0 })),
    ...over,
  };
}

function setup(chains: () => MonitoredChain[]) {
  const events: DaemonEvent[] = [];
  const calls: string[] = [];
  const m = new HealthMonitor({
    clock: new VirtualClock(),
    log,
    chains,
    raise: (e) => events.push(e),
    policy: { maxReinitsPerHour: 1, freqStepMHz: 25, minFreqMHz: 100, deadChipsForReinit: 3, deadGraceMs: 2000 },
    actions: {
      reinitChain: async (k) => {
        calls.push(`reinit ${k}`);
        return false;
      },
      setChipFreq: async (k, c, f) => void calls.push(`freq ${k}.${c} ${f}`),
      disableChip: async (k, c) => void calls.push(`disable ${k}.${c}`),
      powerOffBoard: async (b) => void calls.push(`off ${b}`),
    },
  });
  return { m, events, calls };
}

test('no work flowing: chips are not judged, nothing is raised', () => {
  const c = chain({ workFlowing: false });
  const { m, events } = setup(() => [c]);
  for (let t = 0; t <= 600_000; t += 5000) m.tick(t);
  assert.is(m.chipState(0, 0), 'unknown');
  assert.equal(events.filter((e) => e.kind.startsWith('chip_')), []);
});

test('a board powered off (the interlock locked it): its silent chips are not judged dead, nothing is asked of it', async () => {
  // Mining ran, then board 0 was powered off: its chips go silent while the core still counts the chain up.
  let off = false;
  const c = chain();
  const { m, events, calls } = setup(() => withBoardPower([c], (b) => !(off && b === 0)));
  for (let t = 0; t <= 20_000; t += 500) {
    c.chips = c.chips.map((x) => ({ nonces: x.nonces + 5, hwErrors: x.hwErrors }));
    m.tick(t);
  }
  off = true;
  for (let t = 20_500; t <= 600_000; t += 500) m.tick(t);
  await m.settled();
  assert.equal(calls, [], 'no re-init, no power-off, no disabled chip for a board that is off');
  assert.equal(events.filter((e) => e.kind === 'chip_dead' || e.kind === 'health_action'), []);
  // Control: the same silence on a powered board is judged (the test can fail).
  const c2 = chain();
  const ctl = setup(() => withBoardPower([c2], () => true));
  for (let t = 0; t <= 20_000; t += 500) {
    c2.chips = c2.chips.map((x) => ({ nonces: x.nonces + 5, hwErrors: x.hwErrors }));
    ctl.m.tick(t);
  }
  for (let t = 20_500; t <= 600_000; t += 500) ctl.m.tick(t);
  await ctl.m.settled();
  assert.ok(ctl.calls.length > 0, `a powered silent chain is acted on: ${ctl.calls.join(', ')}`);
});

test('a quiet chip among busy ones: chip_dead, disabled, and the event trail says so', async () => {
  const c = chain();
  const { m, events, calls } = setup(() => [c]);
  for (let t = 0; t <= 10_000; t += 500) {
    c.chips = c.chips.map((x, i) => (i === 2 ? x : { nonces: x.nonces + 5, hwErrors: x.hwErrors }));
    m.tick(t);
  }
  await m.settled();
  assert.is(m.chipState(0, 2), 'disabled');
  assert.equal(calls, ['disable 0.2']);
  assert.ok(events.some((e) => e.kind === 'chip_dead' && e.severity === 'warning'));
  assert.ok(events.some((e) => e.kind === 'health_action' && String(e.message).includes('disable_chip')));
  assert.is(m.chipState(0, 0), 'ok');
});

test('a chain that lost every chip: re-init once, then power off; chain events at each step', async () => {
  const c = chain();
  const { m, events, calls } = setup(() => [c]);
  m.tick(0);
  c.ready = false;
  c.chipsFound = 0;
  m.tick(1000);
  await m.settled();
  assert.equal(calls, ['reinit 0']);
  assert.ok(events.some((e) => e.kind === 'health_action' && String(e.message).includes('did not come back')));
  // still failed on the next tick: the re-init budget (1/h here) is spent, so the board goes off, once
  m.tick(2000);
  m.tick(3000);
  await m.settled();
  assert.equal(calls, ['reinit 0', 'off 0']);
  assert.ok(events.some((e) => e.kind === 'chain_failed' && e.severity === 'critical'));
  const off = events.find((e) => e.kind === 'health_action' && e.data?.action === 'power_off_board');
  assert.is(off?.severity, 'critical');
});

test('a hardware fault is raised once, acted on, and cleared when it goes away', async () => {
  const { m, events, calls } = setup(() => []);
  const f = { kind: 'regulator_no_answer' as const, part: 'chain1.regulator', board: 1, severity: 'critical' as const, message: 'no answer' };
  m.reportHardware(0, [f]);
  m.reportHardware(1000, [f]);
  await m.settled();
  assert.is(events.filter((e) => e.kind === 'hw_fault').length, 1);
  assert.equal(calls, ['off 1']);
  m.reportHardware(2000, []);
  assert.is(events.filter((e) => e.kind === 'hw_fault_cleared').length, 1);
  assert.equal(m.hardwareFaults(), []);
});

test('an action that throws is reported as failed, not lost', async () => {
  const c = chain();
  const events: DaemonEvent[] = [];
  const m = new HealthMonitor({
    clock: new VirtualClock(),
    log,
    chains: () => [c],
    raise: (e) => events.push(e),
    policy: { maxReinitsPerHour: 1, freqStepMHz: 25, minFreqMHz: 100, deadChipsForReinit: 3, deadGraceMs: 2000 },
    actions: {
      reinitChain: async () => false,
      setChipFreq: async () => undefined,
      disableChip: async () => {
        throw new Error('uart closed');
      },
      powerOffBoard: async () => undefined,
    },
  });
  for (let t = 0; t <= 10_000; t += 500) {
    c.chips = c.chips.map((x, i) => (i === 1 ? x : { nonces: x.nonces + 5, hwErrors: 0 }));
    m.tick(t);
  }
  await m.settled();
  assert.ok(events.some((e) => e.kind === 'health_action' && String(e.message).includes('failed: uart closed')));
});

test.run();
