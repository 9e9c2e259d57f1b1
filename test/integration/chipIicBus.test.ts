/**
 * The L3+ temperature sensors behind the chips (hashboard/chipIicBus.ts): TMP451 reads as
 * GENERAL_IIC register commands on the chain UART, against the simulator's chain whose sensor
 * chips answer through their I2C master (src/sim/chain/chipIic.ts), paced at 115200 baud.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { VirtualClock } from '../../src/hal/clock';
import { createUartPair } from '../../src/hal/sim/uartPair';
import { SimI2cBus } from '../../src/hal/sim/i2c';
import { ChipIicPort, generalIicWord } from '../../src/hashboard/chipIicBus';
import { readTmp451 } from '../../src/hashboard/tmp451';
import { SimChain } from '../../src/sim/chain/simChain';
import { Tmp451 } from '../../src/sim/devices/tmp451';
import { l3Physics, powered } from '../unit/sim/chain/helpers';

const log = pino({ level: 'silent' });

async function drive<T>(clock: VirtualClock, p: Promise<T>, maxMs = 600_000): Promise<T> {
  let done = false;
  let err: unknown;
  let val: T | undefined;
  p.then((v) => { done = true; val = v; }, (e) => { done = true; err = e; });
  const end = clock.now() + maxMs;
  while (!done && clock.now() < end) {
    clock.advance(2);
    await new Promise((r) => setImmediate(r));
  }
  if (!done) throw new Error('drive: promise did not settle');
  if (err) throw err;
  return val as T;
}

async function rig(chips = 72) {
  const clock = new VirtualClock();
  const bus = new SimI2cBus('chip-iic');
  let local = 41.5;
  let remote = 63.25;
  bus.attach(0x4c, new Tmp451(() => local, () => remote));
  const sim = new SimChain({ family: 'bm1485', chipCount: chips, physics: Array.from({ length: chips }, () => l3Physics()), supply: powered, clock, seed: 3, pow: 'scrypt-sim', sensors: [{ chipAddress: 0x0c, i2cAddress: 0x4c, bus }] });
  const pair = createUartPair({ baud: 115200, clock, paced: true });
  sim.connect(pair.device);
  const chain = new Chain({ family: getChipFamily('bm1485'), uart: pair.host, clock, log, expectedChips: chips });
  await drive(clock, chain.init({ freqMHz: 384, ticketDifficulty: 256 }));
  return { clock, chain, sim, pair, set: (l: number, r: number) => { local = l; remote = r; } };
}

test('GENERAL_IIC word: valid flag, device<<1|rw, register, data (chips.md §3.1)', () => {
  assert.is(generalIicWord(0x4c, 0x01, false).toString(16), '1980100');
  assert.is(generalIicWord(0x4c, 0x11, true, 0xd8).toString(16), '19911d8');
});

test('a TMP451 behind chip 0x0C reads through the chain UART: die (remote) and PCB (local) temperatures', async () => {
  const r = await rig();
  const port = new ChipIicPort(r.chain, { clock: r.clock, chainIndex: 0 });
  const got = await drive(r.clock, readTmp451(port.bus(0x0c)));
  assert.ok(Math.abs(got.remoteC - 63.25) < 0.07 && Math.abs(got.localC - 41.5) < 0.07, JSON.stringify(got));
  r.set(70, 88);
  const again = await drive(r.clock, readTmp451(port.bus(0x0c)));
  assert.ok(Math.abs(again.remoteC - 88) < 0.07, JSON.stringify(again));
  assert.is(port.transfers, 8);
});

test('a chip with no sensor on its I2C master is a NACK naming chain, chip and register; an unknown chip is refused', async () => {
  const r = await rig();
  const port = new ChipIicPort(r.chain, { clock: r.clock, chainIndex: 2 });
  let err: Error | undefined;
  await drive(r.clock, port.bus(0xc9).readByte(0x4c, 0x01).catch((e: Error) => void (err = e)));
  assert.match(String(err?.message), 'chain 2 chip 0xc9 I2C 0x4c reg 0x1: no acknowledge');
  await drive(r.clock, port.bus(0x0b).readByte(0x4c, 0x01).catch((e: Error) => void (err = e)));
  assert.match(String(err?.message), 'not on the chain');
});

test.run();
