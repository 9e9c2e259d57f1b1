import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { headerWithNonce } from '../../src/chips/common/header';
import { RealClock } from '../../src/hal/clock';
import { SCRYPT_DIFF1_TARGET, hashToBigInt, scryptSimBase, scryptSimHash } from '../../src/pow';
import { SimChain } from '../../src/sim/chain/simChain';
import { l3Physics, powered } from '../unit/sim/chain/helpers';

let pty = true;
try {
  const { PtyMaster } = require('../../src/native/pty') as typeof import('../../src/native/pty');
  new PtyMaster().close();
} catch (e) {
  pty = false;
  console.log(`chain over a PTY skipped: native addon not built (${(e as Error).message})`);
}

if (pty) {
  test('the unchanged driver brings up a BM1489 chain over a real PTY, switches to 3 Mbaud, and gets valid nonces', async () => {
    const { createPtyTransport } = require('../../src/hal/sim/ptyTransport') as typeof import('../../src/hal/sim/ptyTransport');
    const { LinuxUart } = require('../../src/hal/linux/uart') as typeof import('../../src/hal/linux/uart');
    const clock = new RealClock();
    const sim = new SimChain({ family: 'bm1489', chipCount: 8, physics: Array.from({ length: 8 }, () => l3Physics()), supply: powered, clock, seed: 5, pow: 'scrypt-sim' });
    const t = createPtyTransport();
    sim.connect(t.link);
    const uart = await LinuxUart.open(t.path, 115200);
    const chain = new Chain({ family: getChipFamily('bm1489'), uart, clock, log: pino({ level: 'silent' }), expectedChips: 8 });
    try {
      await chain.enumerate();
      await chain.assignAddresses(8, 1);
      await chain.readChipIds();
      chain.freqMHz = chain.addresses.map(() => 200);
      await chain.setFrequency(400, { stepMHz: 100, stepMs: 5 });
      await chain.setTicketDifficulty(1);
      await chain.setBaud(3_000_000);
      assert.is(sim.lineBaud, 3_125_000);
      assert.equal(sim.chips.map((c) => c.address), [0, 32, 64, 96, 128, 160, 192, 224]);
      const ids = await chain.readChipIds();
      assert.is(ids.length, 8, 'register reads work at the new speed');
      const header76 = Buffer.alloc(76, 0x5a);
      const nonces: number[] = [];
      chain.on('nonce', (n) => nonces.push(n.nonce));
      await chain.sendWork({ jobId: 1, header76 });
      await clock.sleep(1000);
      assert.ok(nonces.length > 20, `nonces ${nonces.length}`);
      const base = await scryptSimBase(headerWithNonce(header76, 0));
      for (const n of nonces) assert.ok(hashToBigInt(scryptSimHash(base, n)) <= SCRYPT_DIFF1_TARGET);
      assert.is(chain.counts.badCrc, 0);
    } finally {
      sim.stop();
      chain.close();
      await uart.close();
      await t.close();
    }
  });

  for (const fam of ['bm1485', 'bm1489', 'bm1366'] as const) {
    test(`${fam}: with prehash the reader thread hashes every nonce (same hash as src/pow), tickets arrive in batches, shares at once`, async () => {
      const { createPtyTransport } = require('../../src/hal/sim/ptyTransport') as typeof import('../../src/hal/sim/ptyTransport');
      const { LinuxUart } = require('../../src/hal/linux/uart') as typeof import('../../src/hal/linux/uart');
      const { bigIntToHashLE } = require('../../src/pow') as typeof import('../../src/pow');
      const clock = new RealClock();
      const chips = 4;
      const sim = new SimChain({ family: fam, chipCount: chips, physics: Array.from({ length: chips }, () => l3Physics()), supply: powered, clock, seed: 9, pow: 'scrypt-sim' });
      const t = createPtyTransport();
      sim.connect(t.link);
      const uart = await LinuxUart.open(t.path, 115200);
      let chunks = 0;
      uart.on('data', () => chunks++);
      const chain = new Chain({ family: getChipFamily(fam), uart, clock, log: pino({ level: 'silent' }), expectedChips: chips, prehash: { pow: 'scrypt-sim', lazyMs: 200 } });
      try {
        assert.ok(chain.prehashing);
        await chain.enumerate();
        await chain.assignAddresses(chips, Math.floor(256 / chips));
        await chain.readChipIds();
        await chain.openCores();
        chain.freqMHz = chain.addresses.map(() => 200);
        await chain.setFrequency(400, { stepMHz: 100, stepMs: 5 });
        await chain.setTicketDifficulty(1);
        const header76 = Buffer.alloc(76, 0x33);
        // "Shares" at difficulty 16: about one nonce in 16 is urgent.
        const urgentTarget = bigIntToHashLE(SCRYPT_DIFF1_TARGET / 16n);
        const got: { nonce: number; hash?: Buffer }[] = [];
        chain.on('nonce', (n) => got.push({ nonce: n.nonce, hash: n.hash }));
        chunks = 0;
        await chain.sendWork({ jobId: 1, header76, urgentTarget });
        await clock.sleep(1500);
        assert.ok(got.length > 40, `nonces ${got.length}`);
        const base = await scryptSimBase(headerWithNonce(header76, 0));
        let urgent = 0;
        for (const n of got) {
          assert.ok(n.hash, 'every nonce of registered work comes hashed');
          assert.equal(n.hash, scryptSimHash(base, n.nonce));
          assert.ok(hashToBigInt(n.hash!) <= SCRYPT_DIFF1_TARGET);
          if (hashToBigInt(n.hash!) <= SCRYPT_DIFF1_TARGET / 16n) urgent++;
        }
        // one loop wake-up per urgent nonce or per 200 ms batch, not one per nonce
        assert.ok(chunks <= urgent + 1500 / 200 + 2, `${chunks} deliveries for ${got.length} nonces (${urgent} urgent)`);
        assert.is(chain.counts.badCrc, 0);
      } finally {
        sim.stop();
        chain.close();
        await uart.close();
        await t.close();
      }
    });
  }
}

test.run();
