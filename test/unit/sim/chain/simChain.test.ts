import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getChipFamily, ReplyStream, type ChipFamilyId, type ChipReply, type HostFrame } from '../../../../src/chips';
import { VirtualClock } from '../../../../src/hal/clock';
import { createUartPair } from '../../../../src/hal/sim/uartPair';
import { SimChain, type SimChainOptions } from '../../../../src/sim/chain/simChain';
import type { I2cBus } from '../../../../src/hal/types';
import { flush, l3Physics, powered } from './helpers';

function rig(family: ChipFamilyId, chipCount: number, physics = Array.from({ length: chipCount }, () => l3Physics()), sensors?: SimChainOptions['sensors']) {
  const clock = new VirtualClock();
  const fam = getChipFamily(family);
  const chain = new SimChain({ family, chipCount, physics, supply: powered, clock, seed: 7, pow: 'scrypt-sim', sensors });
  const pair = createUartPair({ baud: 115200, clock });
  chain.connect(pair.device);
  const replies: ChipReply[] = [];
  const stream = new ReplyStream(fam);
  pair.host.on('data', (b: Buffer) => replies.push(...stream.push(b)));
  const send = async (f: HostFrame) => pair.host.write(fam.encodeHost(f));
  return { clock, fam, chain, pair, replies, stream, send };
}

for (const [family, count, interval] of [['bm1485', 72, 3], ['bm1489', 120, 2], ['bm1366', 6, 42]] as const) {
  test(`${family}: broadcast chip-id read gets ${count} replies in chain order, then addressing spaces them by ${interval}`, async () => {
    const r = rig(family, count);
    await r.send({ kind: 'readReg', broadcast: true, chip: 0, reg: 0 });
    await flush();
    assert.is(r.replies.length, count);
    assert.ok(r.replies.every((x) => x.kind === 'register' && x.value >>> 16 === r.fam.chipId && x.chip === 0));
    r.replies.length = 0;
    await r.send({ kind: 'chainInactive' });
    for (let j = 0; j < 256 / interval; j++) await r.send({ kind: 'setAddress', address: (j * interval) & 0xff });
    await flush();
    assert.equal(r.chain.chips.map((c) => c.address), Array.from({ length: count }, (_, i) => i * interval));
    await r.send({ kind: 'readReg', broadcast: true, chip: 0, reg: 0 });
    await flush();
    assert.equal(r.replies.map((x) => (x.kind === 'register' ? x.chip : -1)), Array.from({ length: count }, (_, i) => i * interval));
  });
}

test('set-address before chain-inactive is ignored; a chip-addressed write reaches only that chip', async () => {
  const r = rig('bm1485', 4);
  await r.send({ kind: 'setAddress', address: 9 });
  await flush();
  assert.equal(r.chain.chips.map((c) => c.address), [null, null, null, null]);
  await r.send({ kind: 'chainInactive' });
  for (const a of [0, 64, 128, 192]) await r.send({ kind: 'setAddress', address: a });
  await r.send({ kind: 'writeReg', broadcast: false, chip: 128, reg: 0x08, value: 0x00600231 });
  await flush();
  assert.equal(r.chain.chips.map((c) => c.freqMHz), [100, 100, 400, 100]);
});

test('frames with a bad CRC or length are ignored and counted; the next good frame is understood', async () => {
  const r = rig('bm1485', 3);
  const good = r.fam.encodeHost({ kind: 'readReg', broadcast: true, chip: 0, reg: 0 });
  const bad = Buffer.from(good);
  bad[4] ^= 0x01;
  await r.pair.host.write(bad);
  await r.pair.host.write(Buffer.from([0x51, 0x07, 0x00]));
  await flush();
  r.clock.advance(100); // idle: the partial frame is abandoned
  await r.pair.host.write(good);
  await flush();
  assert.is(r.replies.length, 3);
  assert.ok(r.chain.stats().framesIgnored >= 2);
});

test('an unsupported PLL word hangs the chip until reset', async () => {
  const r = rig('bm1485', 2);
  await r.send({ kind: 'writeReg', broadcast: true, chip: 0, reg: 0x08, value: 0x00000000 });
  await flush();
  assert.equal(r.chain.chips.map((c) => c.responsive), [false, false]);
  r.chain.reset();
  assert.equal(r.chain.chips.map((c) => c.responsive), [true, true]);
});

test('a baud switch takes effect after the write: replies are garbage until the host follows', async () => {
  const r = rig('bm1489', 4);
  const w = r.fam.baudWrites(3_000_000);
  for (const x of w.writes) await r.send({ kind: 'writeReg', broadcast: true, chip: 0, reg: x.reg, value: x.value });
  await r.send({ kind: 'readReg', broadcast: true, chip: 0, reg: 0 });
  await flush();
  assert.is(r.replies.length, 0, 'host still at 115200: nothing valid');
  r.stream.flush();
  await r.pair.host.setBaud(3_000_000);
  await r.send({ kind: 'readReg', broadcast: true, chip: 0, reg: 0 });
  await flush();
  assert.is(r.replies.length, 4);
});

/** A 72-chip BM1485 chain addressed, cores on, at 384 MHz with this ticket difficulty (no work yet). */
async function addressedL3Chain(ticketDifficulty: number) {
  const r = rig('bm1485', 72);
  await r.send({ kind: 'chainInactive' });
  for (let j = 0; j < 72; j++) await r.send({ kind: 'setAddress', address: j * 3 });
  for (const w of [...r.fam.coreEnableWrites(), ...r.fam.ticketMaskWrites(ticketDifficulty), { reg: 0x08, value: r.fam.pllFor(384).value }])
    await r.send({ kind: 'writeReg', broadcast: true, chip: 0, reg: w.reg, value: w.value });
  return r;
}

test('no work, no nonces; with work the nonce count follows hashrate / ticket difficulty (Poisson)', async () => {
  const r = await addressedL3Chain(256);
  await flush();
  r.clock.advance(10_000);
  await flush();
  assert.is(r.chain.stats().noncesSent, 0);
  await r.send({ kind: 'work', jobId: 5, header76: Buffer.alloc(76, 1) });
  await flush();
  r.clock.advance(60_000);
  for (let i = 0; i < 50 && r.replies.length < r.chain.stats().noncesSent + 1; i++) await flush();
  await new Promise((res) => setTimeout(res, 200));
  // expected: 72 chips x 1.751 MH/s x 60 s / (256 x 65537) = 451
  const n = r.chain.stats().noncesSent;
  assert.ok(Math.abs(n - 451) < 5 * Math.sqrt(451), `nonces ${n}`);
  assert.is(r.replies.length, n);
  assert.ok(r.replies.every((x) => x.kind === 'nonce' && x.jobId === 5));
});

test('nonces leave at random instants within a tick, not as one burst per tick', async () => {
  const r = await addressedL3Chain(16);
  await r.send({ kind: 'work', jobId: 5, header76: Buffer.alloc(76, 1) });
  await flush();
  // Step 1 ms at a time for 2 s: with one burst per 50 ms tick, nonces would arrive in at most
  // 40 distinct milliseconds; spread within ticks, (about 240 nonces/s here) far more.
  const arrivals = new Set<number>();
  for (let t = 0; t < 2000; t++) {
    const before = r.replies.length;
    r.clock.advance(1);
    for (let i = 0; i < 5; i++) await flush();
    if (r.replies.length > before) arrivals.add(t);
  }
  assert.ok(r.replies.length > 200, `replies ${r.replies.length}`);
  assert.ok(arrivals.size > 100, `distinct arrival milliseconds ${arrivals.size}`);
});

test('GENERAL_IIC on sensor chip 0x0C reads the TMP451 at 0x4C (stock frames), busy until done; auto-read fills 0x44', async () => {
  const regs: Record<number, number> = { 0x00: 41, 0x01: 67 };
  const bus: I2cBus = {
    readByte: async (addr, reg) => {
      if (addr !== 0x4c) throw new Error('NACK');
      return regs[reg] ?? 0;
    },
    writeByte: async () => undefined,
    readWord: async () => 0,
    writeWord: async () => undefined,
    readBlock: async () => Buffer.alloc(0),
    writeBlock: async () => undefined,
    sendByte: async () => undefined,
    receiveByte: async () => 0,
    close: async () => undefined,
  };
  const r = rig('bm1485', 72, undefined, [{ chipAddress: 0x0c, i2cAddress: 0x4c, bus }]);
  await r.send({ kind: 'chainInactive' });
  for (let j = 0; j < 85; j++) await r.send({ kind: 'setAddress', address: j * 3 });
  await r.pair.host.write(Buffer.from('41080c1c0198010017', 'hex')); // read sensor reg 0x01 (chips.md §2.2)
  await flush();
  await r.pair.host.write(Buffer.from('42040c1c11', 'hex'));
  await flush();
  const reply = r.replies.at(-1);
  assert.ok(reply && reply.kind === 'register' && reply.chip === 0x0c && reply.reg === 0x1c);
  if (reply?.kind === 'register') {
    assert.is(reply.value >>> 30, 0, 'busy and fail clear');
    assert.is(reply.value & 0xff, 67);
  }
  // a chip without a sensor reports rw_fail
  await r.send({ kind: 'writeReg', broadcast: false, chip: 0x0f, reg: 0x1c, value: 0x01980100 });
  await r.send({ kind: 'readReg', broadcast: false, chip: 0x0f, reg: 0x1c });
  await flush();
  const fail = r.replies.at(-1);
  assert.ok(fail?.kind === 'register' && (fail.value >>> 24) & 0x40);
  // auto-read
  await r.send({ kind: 'writeReg', broadcast: false, chip: 0x0c, reg: 0x1c, value: 0x02980000 });
  r.clock.advance(2000);
  await flush();
  await r.send({ kind: 'readReg', broadcast: false, chip: 0x0c, reg: 0x44 });
  await flush();
  const t = r.replies.at(-1);
  assert.ok(t?.kind === 'register' && t.reg === 0x44);
  if (t?.kind === 'register') {
    assert.is((t.value >>> 16) & 0xff, 41);
    assert.is(t.value & 0xff, 67);
  }
});

test.run();
