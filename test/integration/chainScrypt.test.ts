import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { headerWithNonce, reverseWords } from '../../src/chips/common/header';
import { crc16False } from '../../src/chips/common/crc';
import { VirtualClock } from '../../src/hal/clock';
import { createUartPair } from '../../src/hal/sim/uartPair';
import { SCRYPT_DIFF1_TARGET, getAlgorithm } from '../../src/pow';
import { SimChain } from '../../src/sim/chain/simChain';
import { l3Physics, powered } from '../unit/sim/chain/helpers';
import golden from '../vectors/chips/zeus-golden.json';

const header80 = reverseWords(Buffer.from(golden.payload80, 'hex'));
const header76 = header80.subarray(0, 76);
const start = parseInt(golden.startNonce, 16);
const goldenNonce = parseInt(golden.goldenNonce, 16);

async function drive<T>(clock: VirtualClock, p: Promise<T>, maxMs = 120_000): Promise<T> {
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

test('the Zeus golden work is a valid BM1489 work payload: start nonce in H19, header words reversed', () => {
  const fam = getChipFamily('bm1489');
  const frame = Buffer.concat([Buffer.from([0x55, 0xaa, 0x20, 0x05]), Buffer.from(golden.payload80, 'hex'), Buffer.alloc(2)]);
  frame.writeUInt16BE(crc16False(frame.subarray(2, 84)), 84);
  const p = fam.parseHost(frame);
  assert.ok(p && p.ok && p.frame.kind === 'work');
  if (p && p.ok && p.frame.kind === 'work') {
    assert.is(p.frame.startNonce, start);
    assert.is(p.frame.header76.toString('hex'), header76.toString('hex'));
    assert.is(fam.encodeHost(p.frame).toString('hex'), frame.toString('hex'));
  }
});

test('real-scrypt mode: a BM1485 chip given the golden work from its start nonce finds the golden nonce', async () => {
  const clock = new VirtualClock();
  const sim = new SimChain({ family: 'bm1485', chipCount: 1, physics: [l3Physics()], supply: powered, clock, seed: 1, pow: 'scrypt' });
  const pair = createUartPair({ baud: 115200, clock });
  sim.connect(pair.device);
  const chain = new Chain({ family: getChipFamily('bm1485'), uart: pair.host, clock, log: pino({ level: 'silent' }), expectedChips: 1 });
  await drive(clock, chain.init({ freqMHz: 384, ticketDifficulty: 1 }));
  const nonces: number[] = [];
  chain.on('nonce', (n) => nonces.push(n.nonce));
  await drive(clock, chain.sendWork({ jobId: 42, header76, startNonce: start }));
  // the CPU is the limit in real-scrypt mode: give it real time, and virtual ticks to use it
  const realDeadline = Date.now() + 60_000;
  while (!nonces.includes(goldenNonce) && Date.now() < realDeadline) {
    clock.advance(50);
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.ok(nonces.includes(goldenNonce), `found ${nonces.map((n) => n.toString(16))} stats ${JSON.stringify(sim.stats())} now ${clock.now()}`);
  assert.ok(sim.stats().hashes >= goldenNonce - start, `hashes ${sim.stats().hashes}`);
  const res = await getAlgorithm('scrypt').verify(nonces.map((n) => headerWithNonce(header76, n)), nonces.map(() => SCRYPT_DIFF1_TARGET));
  assert.ok(res.every((r) => r.valid), 'every returned nonce meets diff 1');
  const g = res[nonces.indexOf(goldenNonce)];
  assert.is(g.hash.toString('hex'), golden.scryptHashHex);
  sim.stop();
});

test.run();
