import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { RealClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { PicOldRegulator } from '../../src/power/picOld';
import { MinerCore, ticketWeight, type MinerWork } from '../../src/hashboard/minerCore';
import { bm1485RefreshMs } from '../../src/hashboard/workScheduler';
import { getAlgorithm } from '../../src/pow';
import { SyntheticWork } from '../helpers/syntheticWork';

const log = pino({ level: process.env.KABOSU_TEST_LOG ?? 'silent' });

/** A work source without a pool: random headers, so the chain path is tested on its own. */

async function l3plusRig() {
  const clock = new RealClock();
  const sim = createSimMiner({ boardId: 'l3plus', seed: 11, clock, pow: 'scrypt-sim' });
  sim.start();
  const b = sim.board;
  const reg = b.hashBoard.regulator;
  const pics: PicOldRegulator[] = [];
  for (let c = 0; c < b.hashBoard.chains; c++) {
    const pic = new PicOldRegulator({ bus: sim.hal.i2c[reg.bus], address: reg.addresses[c], chain: c, clock, log, codeOffsetV: reg.codeOffsetV, codeSlopeV: reg.codeSlopeV });
    await pic.setVoltage(b.hashBoard.voltage.stockV);
    await pic.enable(true);
    pics.push(pic);
  }
  const family = getChipFamily(b.hashBoard.chipFamily);
  const perChainHps = b.published.hashrateHps / b.hashBoard.chains;
  const plans = sim.hal.uarts.map((uart, c) => ({
    chain: new Chain({ family, uart, clock, log, expectedChips: b.hashBoard.chipsPerChain, chain: c, reset: sim.hal.gpio.reset[c] }),
    expectedChips: b.hashBoard.chipsPerChain,
    freqMHz: b.hashBoard.freqMHz.stock,
    expectedHps: perChainHps,
    refreshMs: bm1485RefreshMs(b.hashBoard.freqMHz.stock, Math.floor(256 / b.hashBoard.chipsPerChain)),
  }));
  const close = async () => {
    for (const pic of pics) await pic.enable(false);
    await sim.stop();
  };
  return { clock, sim, plans, close };
}

test('an L3+ simulated over the in-process UART: 4 chains come up, mine, and the counted hashrate matches the truth', async () => {
  const { clock, sim, plans, close } = await l3plusRig();
  const sim256 = getAlgorithm('scrypt-sim');
  let valid = 0;
  const core = new MinerCore<MinerWork>({
    clock,
    log,
    plans,
    source: new SyntheticWork(),
    verify: (h, t) => sim256.verify(h, t),
    onNonce: () => valid++,
  });
  await core.start();
  assert.equal(core.chains.map((c) => c.chipsFound), [72, 72, 72, 72]);
  assert.ok(core.chains.every((c) => c.ready));
  const counts = (t: number) => core.chains.map((c, i) => core.stats.chainSnapshot(i, t).nonces * ticketWeight(c.ticket!.difficulty));
  const t0 = clock.now();
  const h0 = counts(t0);
  const n0 = core.stats.minerSnapshot(t0).nonces;
  await new Promise((r) => setTimeout(r, 8000));
  const t1 = clock.now();
  const h1 = counts(t1);
  const nonces = core.stats.minerSnapshot(t1).nonces - n0;
  const counted = h1.reduce((a, h, i) => a + h - h0[i], 0) / ((t1 - t0) / 1000);
  const truth = sim.state().hashrateHps;
  assert.ok(nonces > 500, `enough nonces for a 5% check: ${nonces}`);
  const rel = counted / truth - 1;
  assert.ok(Math.abs(rel) < 4 / Math.sqrt(nonces) + 0.02, `counted ${counted.toExponential(3)} vs true ${truth.toExponential(3)} (${(rel * 100).toFixed(1)}%, ${nonces} nonces)`);
  assert.ok(valid > 0);
  await core.stop();
  await close();
});

test('a pool at difficulty 1 on a slow host: the chips are set past ticket 256 and the nonce rate stays within the host budget', async () => {
  // 5 % of a core at 2.5 ms a verification (Cortex-A class): 20 nonces/s for the miner.
  const { clock, plans, close } = await l3plusRig();
  const sim256 = getAlgorithm('scrypt-sim');
  let verified = 0;
  const core = new MinerCore<MinerWork>({
    clock,
    log,
    plans,
    source: new SyntheticWork(1),
    cpuNoncesPerSec: 20,
    verify: (h, t) => {
      verified += h.length;
      return sim256.verify(h, t);
    },
    onNonce: () => undefined,
  });
  try {
    await core.start();
    // 126 MH/s a chain = 1924 diff-1 nonces/s; 5 nonces/s a chain needs ticket 512
    assert.equal(core.chains.map((c) => c.ticket!.difficulty), [512, 512, 512, 512]);
    assert.ok(core.chains.every((c) => c.ticket!.hostFloor));
    const v0 = verified;
    await new Promise((r) => setTimeout(r, 5000));
    const rate = (verified - v0) / 5;
    // expected 4 x 3.76/s = 15/s; the chips return what the mask says, so at most the budget (+4 sigma)
    assert.ok(rate <= 20 + 4 * Math.sqrt(20 / 5), `verified ${rate.toFixed(1)} nonces/s`);
    assert.ok(rate > 0, 'the chips still return nonces');
  } finally {
    await core.stop();
    await close();
  }
});

test.run();
