import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { getChipFamily, type ChipFamilyId } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { headerWithNonce } from '../../src/chips/common/header';
import { VirtualClock } from '../../src/hal/clock';
import type { GpioLine } from '../../src/hal/types';
import { createUartPair } from '../../src/hal/sim/uartPair';
import { SCRYPT_DIFF1_TARGET, hashToBigInt, scryptSimBase, scryptSimHash } from '../../src/pow';
import { SimChain } from '../../src/sim/chain/simChain';
import { ChipTimeoutError, ProtocolError } from '../../src/core/errors';
import { l3Physics, powered } from '../unit/sim/chain/helpers';

const log = pino({ level: 'silent' });
const SEED = Number(process.env.SIM_SEED ?? 11);

/** Runs `p` to completion while advancing the virtual clock in small steps. */
async function drive<T>(clock: VirtualClock, p: Promise<T>, maxMs = 600_000): Promise<T> {
  let done = false;
  let err: unknown;
  let val: T | undefined;
  p.then((v) => { done = true; val = v; }, (e) => { done = true; err = e; });
  const end = clock.now() + maxMs;
  while (!done && clock.now() < end) {
    clock.advance(5);
    await new Promise((r) => setImmediate(r));
  }
  if (!done) throw new Error('drive: promise did not settle');
  if (err) throw err;
  return val as T;
}

function rig(family: ChipFamilyId, chipCount: number, o: { expected?: number; paced?: boolean; physics?: ReturnType<typeof l3Physics>[]; seed?: number } = {}) {
  const clock = new VirtualClock();
  const physics = o.physics ?? Array.from({ length: chipCount }, () => l3Physics());
  const sim = new SimChain({ family, chipCount, physics, supply: powered, clock, seed: o.seed ?? SEED, pow: 'scrypt-sim' });
  const pair = createUartPair({ baud: 115200, clock, paced: o.paced });
  sim.connect(pair.device);
  let level = 1;
  const reset: GpioLine = {
    read: async () => level as 0 | 1,
    write: async (v) => { if (level === 0 && v === 1) sim.reset(); level = v; },
    close: async () => undefined,
  };
  const chain = new Chain({ family: getChipFamily(family), uart: pair.host, clock, log, expectedChips: o.expected ?? chipCount, reset });
  return { clock, sim, pair, chain };
}

const header76 = Buffer.from(Array.from({ length: 76 }, (_, i) => (i * 13 + 1) & 0xff));

for (const [family, count, freq, baud] of [['bm1485', 72, 384, undefined], ['bm1489', 120, 1850, 3_000_000], ['bm1366', 6, 450, 1_000_000]] as const) {
  test(`${family}: the driver brings up ${count} simulated chips and receives nonces that verify at the ticket target`, async () => {
    const r = rig(family, count, { paced: true });
    await drive(r.clock, r.chain.init({ freqMHz: freq, ticketDifficulty: 256, baud }));
    assert.equal(r.sim.chips.map((c) => c.address), r.chain.addresses);
    assert.ok(r.sim.chips.every((c) => Math.abs(c.freqMHz - freq) < 5), 'PLL reached the target');
    if (baud) assert.is(r.pair.host.baud, baud);
    const nonces: Array<{ chip: number; nonce: number; jobId: number }> = [];
    r.chain.on('nonce', (n) => nonces.push(n));
    await drive(r.clock, r.chain.sendWork({ jobId: 1234, header76 }));
    await drive(r.clock, r.clock.sleep(20_000));
    await new Promise((res) => setTimeout(res, 100));
    await drive(r.clock, r.clock.sleep(100));
    assert.ok(nonces.length > 10, `nonces ${nonces.length}`);
    assert.is(nonces.length, r.sim.stats().noncesSent);
    const base = await scryptSimBase(headerWithNonce(header76, 0));
    const target = SCRYPT_DIFF1_TARGET / 256n;
    for (const n of nonces) {
      assert.is(n.jobId, 1234);
      assert.ok(n.chip >= 0 && n.chip < count);
      assert.ok(hashToBigInt(scryptSimHash(base, n.nonce)) <= target, `nonce ${n.nonce.toString(16)} misses the ticket target`);
    }
    assert.is(r.chain.counts.badCrc, 0);
  });
}

test('a short chain fails enumeration with the found and expected counts', async () => {
  const r = rig('bm1485', 70, { expected: 72 });
  try {
    await drive(r.clock, r.chain.init({ freqMHz: 384, ticketDifficulty: 256 }));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ProtocolError);
    assert.is((e as ProtocolError).code, 'KBS_E_CHIP_COUNT');
    assert.equal((e as ProtocolError).context.found, 70);
  }
});

test('an unpowered or mute chain times out naming what was awaited', async () => {
  const r = rig('bm1485', 4, { physics: Array.from({ length: 4 }, () => l3Physics({ responsive: () => false })) });
  try {
    await drive(r.clock, r.chain.enumerate());
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ChipTimeoutError);
    assert.match((e as Error).message, 'broadcast read of register 0x0');
  }
});

test('a chip whose physics goes silent is reported by checkSilent; HW-error nonces fail verification', async () => {
  let silent = false;
  const physics = Array.from({ length: 8 }, (_, i) => l3Physics(i === 3 ? { hashrateHps: (f) => (silent ? 0 : f * 4560) } : i === 5 ? { hwErrorProbability: () => 1 } : {}));
  const r = rig('bm1485', 8, { physics });
  await drive(r.clock, r.chain.init({ freqMHz: 400, ticketDifficulty: 1 }));
  const nonces: Array<{ chip: number; nonce: number }> = [];
  r.chain.on('nonce', (n) => nonces.push(n));
  await drive(r.clock, r.chain.sendWork({ jobId: 7, header76 }));
  silent = true;
  await drive(r.clock, r.clock.sleep(5_000));
  await new Promise((res) => setTimeout(res, 100));
  await drive(r.clock, r.clock.sleep(100));
  const events: number[] = [];
  r.chain.on('chipSilent', (e) => events.push(e.chip));
  r.chain.checkSilent(4_000);
  assert.equal(events, [3]);
  const base = await scryptSimBase(headerWithNonce(header76, 0));
  const bad = nonces.filter((n) => hashToBigInt(scryptSimHash(base, n.nonce)) > SCRYPT_DIFF1_TARGET);
  assert.ok(bad.length > 0 && bad.every((n) => n.chip === 5));
  assert.is(bad.length, r.sim.stats().hwErrorsSent);
});

test('the driver survives UART noise: corrupted replies are counted, good ones still arrive', async () => {
  const r = rig('bm1485', 72);
  await drive(r.clock, r.chain.init({ freqMHz: 384, ticketDifficulty: 16 }));
  const nonces: number[] = [];
  r.chain.on('nonce', (n) => nonces.push(n.nonce));
  let crc = 0;
  r.chain.on('crcError', () => crc++);
  await drive(r.clock, r.chain.sendWork({ jobId: 1, header76 }));
  // noise after the work went through (a damaged work packet is ignored, as on hardware)
  r.sim.setUartNoise({ bitFlipProb: 0.002, dropProb: 0.001 });
  await drive(r.clock, r.clock.sleep(20_000));
  await new Promise((res) => setTimeout(res, 100));
  await drive(r.clock, r.clock.sleep(100));
  assert.ok(nonces.length > 100, `nonces ${nonces.length}`);
  assert.ok(crc > 0, 'errors reported');
});

test('the same seed gives the same nonces', async () => {
  const run = async () => {
    const r = rig('bm1485', 8, { seed: 99 });
    await drive(r.clock, r.chain.init({ freqMHz: 400, ticketDifficulty: 1 }));
    const got: number[] = [];
    r.chain.on('nonce', (n) => got.push(n.nonce));
    await drive(r.clock, r.chain.sendWork({ jobId: 1, header76 }));
    await drive(r.clock, r.clock.sleep(2_000));
    await new Promise((res) => setTimeout(res, 100));
    await drive(r.clock, r.clock.sleep(100));
    return got.sort();
  };
  const a = await run();
  assert.ok(a.length > 5);
  assert.equal(await run(), a);
});

test('the job-id ring maps wire ids back to the caller\'s job; stale wire ids and foreign addresses are reported apart', async () => {
  const r = rig('bm1485', 3); // interval 85: address field 0xFF names chip 3, which does not exist
  await drive(r.clock, r.chain.init({ freqMHz: 200, ticketDifficulty: 1 << 20 }));
  const seen: Array<[string, number]> = [];
  r.chain.on('nonce', (n) => seen.push(['nonce', n.jobId]));
  r.chain.on('unknownWork', (u) => seen.push(['unknown', u.wireJobId]));
  r.chain.on('badChip', () => seen.push(['badChip', 0]));
  const w0 = await drive(r.clock, r.chain.sendWork({ jobId: 9000, header76 }));
  r.sim.injectReply({ kind: 'nonce', nonce: (2 << 28) | (64 << 20) | 5, jobId: w0, diff: 0 });
  r.sim.injectReply({ kind: 'nonce', nonce: 5, jobId: 77, diff: 0 });
  r.sim.injectReply({ kind: 'nonce', nonce: 0xff << 20, jobId: w0, diff: 0 });
  await drive(r.clock, r.clock.sleep(10));
  assert.equal(seen, [['nonce', 9000], ['unknown', 77], ['badChip', 0]]);
  for (let i = 1; i <= 128; i++) await drive(r.clock, r.chain.sendWork({ jobId: 9000 + i, header76 }));
  seen.length = 0;
  r.sim.injectReply({ kind: 'nonce', nonce: 5, jobId: w0, diff: 0 });
  await drive(r.clock, r.clock.sleep(10));
  assert.equal(seen, [['nonce', 9128]], 'slot reused by the 129th work');
});

test.run();
