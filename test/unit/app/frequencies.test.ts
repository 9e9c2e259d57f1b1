import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { frequencyOwnerFor, frequencySpecFor, healthFrequencyPorts, type FrequencyMining } from '../../../src/app/frequencies';
import type { MonitoredChain } from '../../../src/health/healthMonitor';
import { loadBoard } from '../../../src/config/boardLoader';
import type { DaemonEvent } from '../../../src/core/minerApi';
import { VirtualClock } from '../../../src/hal/clock';
import type { FrequencyChain } from '../../../src/hashboard/frequencyOwner';

const log = pino({ level: 'silent' });

test('the spec follows the board model: chains x chips, stock, PLL ladder within the board range', () => {
  for (const id of ['l3plus', 'l7']) {
    const b = loadBoard(id);
    const s = frequencySpecFor(b);
    assert.equal(s.chipsPerBoard, new Array(b.hashBoard.chains).fill(b.hashBoard.chipsPerChain));
    assert.is(s.stockMHz, b.hashBoard.freqMHz.stock);
    assert.ok(s.ladderMHz[0]! >= b.hashBoard.freqMHz.min && s.ladderMHz.at(-1)! <= b.hashBoard.freqMHz.max);
    assert.ok(s.ladderMHz.includes(b.hashBoard.freqMHz.stock), `${id}: stock is a PLL step`);
  }
});

test('no owner before the board is known; one owner after; it writes only to chains that are up and raises failures', async () => {
  const board = loadBoard('l3plus');
  const writes: Array<[number, number | undefined]> = [];
  const chain = (i: number, fail = false): FrequencyChain => ({
    freqMHz: new Array(72).fill(384),
    async setFrequency(mhz, o) {
      if (fail) throw Object.assign(new Error('uart closed'), { code: 'KBS_E_X' });
      writes.push([i, o?.chip]);
      return mhz;
    },
  });
  const mining: { -readonly [K in keyof FrequencyMining]: FrequencyMining[K] } = {};
  const events: DaemonEvent[] = [];
  const get = frequencyOwnerFor({ mining, clock: new VirtualClock(), log, raise: (e) => events.push(e) });
  assert.is(get(), undefined);
  mining.board = board;
  const owner = get()!;
  assert.is(get(), owner, 'one owner');
  assert.is(owner.plan.boardCount, board.hashBoard.chains);
  mining.core = { chains: [{ ready: true }, { ready: false }, { ready: true }, { ready: true }], plans: [{ chain: chain(0) }, { chain: chain(1) }, { chain: chain(2, true) }, { chain: chain(3) }] };
  await owner.setScale(0, 0.9);
  const r1 = await owner.setScale(1, 0.9);
  assert.is(r1.written, false);
  await owner.setScale(2, 0.9).catch(() => undefined);
  assert.equal(writes, [[0, undefined]]);
  assert.equal(events.map((e) => [e.kind, e.severity, e.data]), [['freq_apply_failed', 'warning', { board: 2, code: 'KBS_E_X' }]]);
});

test('health sees chips in its own frame (base and cap, not the thermal scale) and acts through caps', async () => {
  const board = loadBoard('l3plus');
  const get = frequencyOwnerFor({ mining: { board }, clock: new VirtualClock(), log });
  const owner = get()!;
  let reinits = 0;
  const ports = healthFrequencyPorts(get, () => ({ reinitChain: async () => (reinits++, true) }));
  await owner.setBase(0, 1, 400);
  await owner.setScale(0, 0.9);
  const running = owner.plan.effectiveBoard(0);
  const chain: MonitoredChain = { index: 0, ready: true, chipsFound: 72, expectedChips: 72, expectedHps: 1, ticketDifficulty: 1, frames: 0, badFrames: 0, chipFreqMHz: running, chips: [] };
  const seen = ports.view([chain])[0]!.chipFreqMHz;
  assert.is(seen[0], 384, 'stock chip: 384, not the throttled ' + running[0]);
  assert.is(seen[1], 400);
  await ports.setChipFreq(0, 1, 375); // health: one step below what it saw
  assert.is(owner.plan.board(0).cap[1], 375);
  assert.is(owner.plan.effective(0, 1), owner.plan.spec.ladderMHz.filter((f) => f <= 375 * 0.9 + 1e-9).pop());
  assert.is(ports.view([chain])[0]!.chipFreqMHz[1], 375);
  await ports.disableChip(0, 2);
  assert.is(owner.plan.effective(0, 2), 100);
  assert.ok(await ports.reinitChain(0));
  assert.is(reinits, 1);
});

test.run();
