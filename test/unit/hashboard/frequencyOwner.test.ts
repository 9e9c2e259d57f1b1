import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import fc from 'fast-check';
import { getChipFamily } from '../../../src/chips';
import { FrequencyOwner, type FrequencyChain, type FrequencyOwnerEvents } from '../../../src/hashboard/frequencyOwner';
import { pllLadder } from '../../../src/tuning/ladder';
import { rejectsWith } from '../../helpers/rejects';

const log = pino({ level: 'silent' });
const ladder = pllLadder(getChipFamily('bm1485').pllFor, 100, 650);

/**
 * A chain at the hardware boundary: keeps per-chip frequencies as Chain does (whole-chain writes
 * set every chip), records every write, can hold a write open (to see serialisation) or fail.
 */
class FakeChain implements FrequencyChain {
  freqMHz: number[];
  writes: Array<{ mhz: number; chip?: number }> = [];
  inFlight = 0;
  maxInFlight = 0;
  gate: Promise<void> | null = null;
  failWith: Error | null = null;
  constructor(chips: number, mhz = 384) {
    this.freqMHz = new Array(chips).fill(mhz);
  }
  async setFrequency(mhz: number, o: { chip?: number } = {}): Promise<number> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      await new Promise((r) => setImmediate(r));
      if (this.failWith) throw this.failWith;
      this.writes.push(o.chip === undefined ? { mhz } : { mhz, chip: o.chip });
      if (o.chip === undefined) this.freqMHz = this.freqMHz.map(() => mhz);
      else this.freqMHz[o.chip] = mhz;
      return mhz;
    } finally {
      this.inFlight--;
    }
  }
}

function setup(chains: Array<FakeChain | undefined> = [new FakeChain(4), new FakeChain(4)]) {
  const up = chains.map((c) => c !== undefined);
  const sleeps: number[] = [];
  const clock = { now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
  const owner = new FrequencyOwner({ spec: { ladderMHz: ladder, stockMHz: 384, chipsPerBoard: chains.map(() => 4) }, chain: (b) => (up[b] ? chains[b] : undefined), clock, log });
  const events: Array<{ kind: keyof FrequencyOwnerEvents; e: unknown }> = [];
  owner.events.on('applied', (e) => events.push({ kind: 'applied', e }));
  owner.events.on('failed', (e) => events.push({ kind: 'failed', e }));
  return { owner, chains, up, events, sleeps };
}

test('setBase on one chip writes only that chip, and the applied event names exactly it', async () => {
  const { owner, chains, events } = setup();
  const r = await owner.setBase(0, 2, 400);
  assert.equal(chains[0]!.writes, [{ mhz: 400, chip: 2 }]);
  assert.equal(chains[1]!.writes, []);
  assert.equal(r.effectiveMHz, [384, 384, 400, 384]);
  assert.is(events.length, 1);
  assert.equal((events[0]!.e as FrequencyOwnerEvents['applied']).changes, [{ board: 0, chip: 2, fromMHz: 384, toMHz: 400 }]);
  await owner.setBase(0, 2, 400);
  assert.is(chains[0]!.writes.length, 1, 'asking again for what runs writes nothing');
});

test('a scale on a uniform board is one whole-chain (ramped) write; on a tuned board it keeps per-chip differences', async () => {
  const { owner, chains } = setup();
  await owner.setScale(1, 0.9);
  assert.equal(chains[1]!.writes, [{ mhz: ladder.filter((f) => f <= 384 * 0.9).pop() }]);
  await owner.setBase(0, 0, 400);
  await owner.setBase(0, 1, 350);
  chains[0]!.writes = [];
  await owner.setScale(0, 0.9);
  const f = chains[0]!.freqMHz;
  assert.ok(f[0]! <= 360 && f[0]! > 355 && f[1]! <= 315 && f[1]! > 310, f.join(','));
  assert.ok(f[0]! > f[1]!, 'chip A still above chip B');
  assert.ok(chains[0]!.writes.every((w) => w.chip !== undefined), 'chip by chip');
  await owner.setScale(0, 1);
  assert.equal(chains[0]!.freqMHz, [400, 350, 384, 384], 'restore returns to the tuner values');
});

test('mixed changes lower chips before raising any', async () => {
  const { owner, chains } = setup();
  await owner.setBase(0, 'all', 400);
  chains[0]!.writes = [];
  // Chip 0 and 3 go up, chips 1 and 2 go down in one apply.
  const a = owner.setBase(0, 0, 450);
  void owner.setBase(0, 1, 300);
  void owner.setBase(0, 2, 300);
  await owner.setBase(0, 3, 450);
  await a;
  const w = chains[0]!.writes;
  const lastDown = Math.max(...w.map((x, i) => (x.mhz === 300 ? i : -1)));
  const firstUp = Math.min(...w.map((x, i) => (x.mhz === 450 ? i : Infinity)));
  assert.ok(lastDown < firstUp, JSON.stringify(w));
});

test('per-chip changes ramp in lockstep: every chip one step per round, one wait per round, each step <= 25 MHz', async () => {
  const { owner, chains, sleeps } = setup();
  await owner.setBase(0, 0, 450);
  await owner.setBase(0, 1, 350);
  await owner.setBase(0, 2, 400);
  chains[0]!.writes = [];
  sleeps.length = 0;
  await owner.setScale(0, 0.5); // 450/350/400/384 -> ~225/175/200/192: 6-9 steps each
  const perChip = [0, 1, 2, 3].map((c) => chains[0]!.writes.filter((w) => w.chip === c).map((w) => w.mhz));
  const start = [450, 350, 400, 384];
  perChip.forEach((ws, c) => {
    let prev = start[c]!;
    for (const f of ws) {
      assert.ok(prev - f <= 25 + 1e-9 && f < prev, `chip ${c}: ${prev} -> ${f}`);
      prev = f;
    }
    assert.is(prev, owner.plan.effective(0, c), `chip ${c} ends on the plan`);
  });
  const rounds = Math.max(...perChip.map((ws) => ws.length));
  assert.is(sleeps.length, rounds - 1, 'one wait per round, not per chip and step');
  assert.ok(sleeps.every((ms) => ms === 100));
});

test('writes to a chain never overlap; requests made during an apply are written in one more pass after it', async () => {
  const c = new FakeChain(4);
  const { owner, events } = setup([c, new FakeChain(4)]);
  let open!: () => void;
  c.gate = new Promise((r) => (open = r));
  const first = owner.setBase(0, 0, 400);
  await new Promise((r) => setImmediate(r));
  const later = [owner.setScale(0, 0.9), owner.setBase(0, 1, 350), owner.setCap(0, 2, 300)];
  open();
  c.gate = null;
  await Promise.all([first, ...later]);
  assert.is(c.maxInFlight, 1);
  assert.is(events.filter((e) => e.kind === 'applied').length, 2, 'the first apply, then one for the three requests');
  assert.equal(c.freqMHz, owner.plan.effectiveBoard(0));
  assert.equal(await later[0], await later[2], 'both see the same final plan');
});

test('a board whose chain is down is not written; reinit runs alone, then writes the plan to the fresh chain', async () => {
  const c = new FakeChain(4);
  const { owner, up } = setup([c, new FakeChain(4)]);
  up[0] = false;
  const r = await owner.setScale(0, 0.5);
  assert.is(r.written, false);
  assert.equal(c.writes, []);
  const half = ladder.filter((f) => f <= 192 + 1e-9).pop();
  assert.equal(r.effectiveMHz, [half, half, half, half], 'the plan holds the request');
  let scaleDuringReinit: Promise<unknown> | undefined;
  const ok = await owner.reinit(0, async () => {
    // A request that arrives mid re-init waits for it (no write to a chain being reset).
    scaleDuringReinit = owner.setScale(0, 0.6);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(c.writes, [], 'nothing written during the re-init');
    c.freqMHz = [384, 384, 384, 384]; // the re-init brought the chips up at stock
    up[0] = true;
    return true;
  });
  await scaleDuringReinit;
  assert.ok(ok);
  assert.equal(c.freqMHz, owner.plan.effectiveBoard(0));
  assert.is(c.freqMHz[0], ladder.filter((f) => f <= 384 * 0.6 + 1e-9).pop());
});

test('a re-init waits for a ramp in progress on its chain, and writes after it wait for the re-init', async () => {
  const c = new FakeChain(4);
  const { owner } = setup([c, new FakeChain(4)]);
  let open!: () => void;
  c.gate = new Promise((r) => (open = r));
  const ramp = owner.setBase(0, 0, 450);
  await new Promise((r) => setImmediate(r));
  assert.is(c.inFlight, 1);
  let inFlightAtTaskStart = -1;
  let writesDuringTask = -1;
  const re = owner.reinit(0, async () => {
    inFlightAtTaskStart = c.inFlight;
    const n = c.writes.length;
    void owner.setBase(0, 1, 300);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    writesDuringTask = c.writes.length - n;
    c.freqMHz = [384, 384, 384, 384];
    return true;
  });
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.is(inFlightAtTaskStart, -1, 'the re-init has not started while the ramp runs');
  c.gate = null;
  open();
  assert.ok(await re);
  await ramp;
  assert.is(inFlightAtTaskStart, 0);
  assert.is(writesDuringTask, 0);
  assert.is(c.maxInFlight, 1);
  assert.equal(c.freqMHz, [450, 300, 384, 384], 'the whole plan is back on the fresh chain');
});

test('a failed re-init writes nothing and resolves false', async () => {
  const c = new FakeChain(4);
  const { owner } = setup([c, new FakeChain(4)]);
  assert.is(await owner.reinit(0, async () => false), false);
  assert.equal(c.writes, []);
});

test('a failing write raises `failed`, rejects typed, keeps the plan, and the next apply retries', async () => {
  const c = new FakeChain(4);
  const { owner, events } = setup([c, new FakeChain(4)]);
  c.failWith = Object.assign(new Error('uart gone'), { code: 'KBS_E_TEST' });
  const e = await rejectsWith(owner.setBase(0, 0, 400), 'KBS_E_FREQ_APPLY');
  assert.match(e.message, /uart gone/);
  assert.equal(events.map((x) => x.kind), ['failed']);
  assert.is((events[0]!.e as FrequencyOwnerEvents['failed']).code, 'KBS_E_TEST');
  assert.is(owner.plan.board(0).baseMHz[0], 400);
  c.failWith = null;
  await owner.reapplyAll();
  assert.equal(c.freqMHz, [400, 384, 384, 384]);
});

test('bad requests reject with typed errors and write nothing', async () => {
  const { owner, chains } = setup();
  await rejectsWith(owner.setBase(0, 7, 400), 'KBS_E_FREQ_BAD_CHIP');
  await rejectsWith(owner.setBase(5, 0, 400), 'KBS_E_FREQ_BAD_CHIP');
  await rejectsWith(owner.setCap(0, 0, -3), 'KBS_E_FREQ_BAD_VALUE');
  await rejectsWith(owner.setScale(0, 0.2), 'KBS_E_FREQ_BAD_SCALE');
  await rejectsWith(owner.reinit(9, async () => true), 'KBS_E_FREQ_BAD_CHIP');
  for (const ramp of [{ stepMHz: 0 }, { stepMHz: Number.NaN }, { stepMs: -1 }]) {
    assert.throws(() => new FrequencyOwner({ spec: owner.plan.spec, chain: () => undefined, clock: { now: () => 0, sleep: async () => undefined }, log, ramp }), (e: Error & { code?: string }) => e.code === 'KBS_E_FREQ_BAD_VALUE');
  }
  assert.equal(chains[0]!.writes, []);
  assert.equal(chains[1]!.writes, []);
});

test('a disabled chip goes to the floor; the snapshot shows base, cap, scale, effective and running', async () => {
  const { owner, chains } = setup();
  await owner.setBase(1, 'all', 400);
  await owner.setCap(1, 3, 'disabled');
  await owner.setScale(1, 0.9);
  const s = owner.snapshot().boards[1]!;
  assert.is(s.scale, 0.9);
  assert.equal(s.chips[3], { chip: 3, baseMHz: 400, capMHz: 'disabled', effectiveMHz: 100, runningMHz: 100 });
  assert.equal(s.chips[0]!.runningMHz, chains[1]!.freqMHz[0]);
  assert.is(owner.boardMeanMHz(1), (3 * s.chips[0]!.effectiveMHz + 100) / 4);
});

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

test('property: any interleaving of base/cap/scale requests, re-inits and failures ends with every chain running the plan, never two writes at once', async () => {
  type Op = { k: 'base'; b: number; c: number | 'all'; f: number } | { k: 'cap'; b: number; c: number; cap: number | 'disabled' | null } | { k: 'scale'; b: number; s: number } | { k: 'reinit'; b: number } | { k: 'fail'; b: number; on: boolean } | { k: 'yield' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ k: fc.constant('base' as const), b: fc.integer({ min: 0, max: 1 }), c: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('all' as const)), f: fc.integer({ min: 80, max: 700 }) }),
    fc.record({ k: fc.constant('cap' as const), b: fc.integer({ min: 0, max: 1 }), c: fc.integer({ min: 0, max: 3 }), cap: fc.oneof(fc.integer({ min: 80, max: 700 }), fc.constant('disabled' as const), fc.constant(null)) }),
    fc.record({ k: fc.constant('scale' as const), b: fc.integer({ min: 0, max: 1 }), s: fc.double({ min: 0.5, max: 1, noNaN: true }) }),
    fc.record({ k: fc.constant('reinit' as const), b: fc.integer({ min: 0, max: 1 }) }),
    fc.record({ k: fc.constant('fail' as const), b: fc.integer({ min: 0, max: 1 }), on: fc.boolean() }),
    fc.constant({ k: 'yield' as const }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
      const chains = [new FakeChain(4), new FakeChain(4)];
      const { owner } = setup(chains);
      const all: Promise<unknown>[] = [];
      for (const o of ops) {
        const c = o.k === 'yield' ? undefined : chains[o.b]!;
        if (o.k === 'base') all.push(owner.setBase(o.b, o.c, o.f).catch(() => undefined));
        else if (o.k === 'cap') all.push(owner.setCap(o.b, o.c, o.cap).catch(() => undefined));
        else if (o.k === 'scale') all.push(owner.setScale(o.b, o.s).catch(() => undefined));
        else if (o.k === 'reinit') all.push(owner.reinit(o.b, async () => ((c!.freqMHz = [384, 384, 384, 384]), true)));
        else if (o.k === 'fail') c!.failWith = o.on ? new Error('uart gone') : null;
        else await new Promise((r) => setImmediate(r));
      }
      await Promise.all(all);
      for (const c of chains) c.failWith = null;
      await owner.reapplyAll();
      for (let b = 0; b < 2; b++) {
        assert.equal(chains[b]!.freqMHz, owner.plan.effectiveBoard(b));
        assert.is(chains[b]!.maxInFlight <= 1, true);
      }
    }),
    { seed, numRuns: 150 },
  );
});

test.run();
if (process.exitCode) console.error(`FUZZ_SEED=${seed}`);
