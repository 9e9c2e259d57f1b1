import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { getChipFamily, type ChipFamilyId } from '../../../src/chips';
import { Chain, type ChainDriverOptions } from '../../../src/chips/chainDriver';
import { createBm1485Chain } from '../../../src/chips/bm1485/driver';
import { createBm1489Chain } from '../../../src/chips/bm1489/driver';
import { createBm1366Chain } from '../../../src/chips/bm13xx/driver';
import { ProtocolError } from '../../../src/core/errors';
import { VirtualClock } from '../../../src/hal/clock';
import { createUartPair } from '../../../src/hal/sim/uartPair';
import { SimChain } from '../../../src/sim/chain/simChain';
import { l3Physics, powered } from '../sim/chain/helpers';

const log = pino({ level: 'silent' });

/** Runs `p` to completion while advancing the virtual clock; calls `each` after every step. */
async function drive<T>(clock: VirtualClock, p: Promise<T>, each?: () => void): Promise<T> {
  let done = false;
  let err: unknown;
  let val: T | undefined;
  p.then((v) => { done = true; val = v; }, (e) => { done = true; err = e; });
  while (!done) {
    if (clock.now() > 600_000) throw new Error('drive: promise did not settle');
    clock.advance(5);
    await new Promise((r) => setImmediate(r));
    each?.();
  }
  if (err) throw err;
  return val as T;
}

function rig(family: ChipFamilyId, chipCount: number, make: (o: Omit<ChainDriverOptions, 'family'>) => Chain) {
  const clock = new VirtualClock();
  const sim = new SimChain({ family, chipCount, physics: Array.from({ length: chipCount }, () => l3Physics()), supply: powered, clock, seed: 5, pow: 'scrypt-sim' });
  const pair = createUartPair({ baud: 115200, clock });
  sim.connect(pair.device);
  const chain = make({ uart: pair.host, clock, log, expectedChips: chipCount });
  return { clock, sim, chain };
}

test('each family factory builds a Chain with that family\'s codecs, which addresses its chips', async () => {
  for (const [id, make] of [['bm1485', createBm1485Chain], ['bm1489', createBm1489Chain], ['bm1366', createBm1366Chain]] as const) {
    const r = rig(id, 4, make);
    assert.is(r.chain.family, getChipFamily(id), id);
    await drive(r.clock, r.chain.enumerate());
    await drive(r.clock, r.chain.assignAddresses());
    const ids = await drive(r.clock, r.chain.readChipIds());
    assert.equal(ids.map((c) => c.chipId), [0, 1, 2, 3].map(() => getChipFamily(id).chipId), id);
    assert.equal(r.sim.chips.map((c) => c.address), [0, 64, 128, 192], id);
  }
});

test('a per-chip frequency ramp moves only that chip, never more than one step at a time', async () => {
  const r = rig('bm1485', 4, createBm1485Chain);
  await drive(r.clock, r.chain.enumerate());
  await drive(r.clock, r.chain.assignAddresses());
  r.chain.freqMHz = [100, 100, 100, 100];
  const seen: number[] = [];
  await drive(r.clock, r.chain.setFrequency(400, { chip: 2, stepMHz: 50, stepMs: 100 }), () => {
    const f = r.sim.chips[2].freqMHz;
    if (seen[seen.length - 1] !== f) seen.push(f);
  });
  assert.equal(r.sim.chips.map((c) => Math.round(c.freqMHz)), [100, 100, 400, 100]);
  assert.ok(seen.length >= 6, `ramped in steps: ${seen.join(',')}`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] - seen[i - 1] <= 50 + 25 / 6, `step ${seen[i - 1]} -> ${seen[i]}`);
  assert.equal(r.chain.freqMHz.map(Math.round), [100, 100, 400, 100]);
});

test('a single chip read answers with that chip\'s id register', async () => {
  const r = rig('bm1489', 3, createBm1489Chain);
  await drive(r.clock, r.chain.enumerate());
  await drive(r.clock, r.chain.assignAddresses());
  const v = await drive(r.clock, r.chain.readChip(r.chain.addresses[1], 0));
  assert.is(v, getChipFamily('bm1489').chipIdValue(r.chain.addresses[1]));
});

test('misuse gets typed errors: frequency before addressing, a chip index out of range, two reads at once', async () => {
  const r = rig('bm1485', 2, createBm1485Chain);
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await drive(r.clock, p);
    } catch (e) {
      assert.instance(e, ProtocolError);
      return (e as ProtocolError).code;
    }
    return 'no error';
  };
  assert.is(await code(r.chain.setFrequency(300)), 'KBS_E_CHIP_NOT_READY');
  await drive(r.clock, r.chain.enumerate());
  await drive(r.clock, r.chain.assignAddresses());
  assert.is(await code(r.chain.writeChip(5, 0x08, 0)), 'KBS_E_CHIP_INDEX');
  const first = r.chain.readAll(0, 2);
  assert.is(await code(r.chain.readAll(0, 2)), 'KBS_E_CHIP_BUSY');
  assert.is((await drive(r.clock, first)).length, 2);
});

test.run();
