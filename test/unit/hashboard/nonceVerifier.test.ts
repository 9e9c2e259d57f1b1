import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../src/hal/clock';
import { MiningStats } from '../../../src/hashboard/miningStats';
import { NonceVerifier, type VerifiableWork } from '../../../src/hashboard/nonceVerifier';
import type { VerifyResult } from '../../../src/pow/types';

// A verifier that calls a nonce valid when it is even: enough to test routing and batching.
function setup() {
  const calls: number[] = [];
  const stats = new MiningStats([4, 4], 0);
  const valid: number[] = [];
  const hw: number[] = [];
  const works = new Map<string, VerifiableWork>();
  const mk = (): VerifiableWork => ({
    headerWithNonce: (n) => Uint8Array.of(n & 0xff),
    ticketTarget: 1n,
    ticketWeightHashes: 32 * 65536,
  });
  works.set('0:5', mk());
  works.set('1:7', mk());
  const v = new NonceVerifier({
    clock: new VirtualClock(1000),
    stats,
    verify: async (headers) => {
      calls.push(headers.length);
      return headers.map((h): VerifyResult => ({ hash: Buffer.alloc(32), valid: h[0] % 2 === 0 }));
    },
    lookup: (c, j) => works.get(`${c}:${j}`),
    onValid: (_w, ev) => valid.push(ev.nonce),
    onHwError: (ev) => hw.push(ev.nonce),
    onError: (e) => {
      throw e;
    },
  });
  return { v, calls, stats, valid, hw };
}

const tick = () => new Promise((r) => setImmediate(r));

test('nonces of one event-loop turn are verified as one batch; a lone nonce alone', async () => {
  const { v, calls } = setup();
  v.push({ chain: 0, chip: 1, core: 0, jobId: 5, nonce: 2 });
  v.push({ chain: 0, chip: 2, core: 0, jobId: 5, nonce: 4 });
  v.push({ chain: 1, chip: 3, core: 0, jobId: 7, nonce: 6 });
  await tick();
  v.push({ chain: 1, chip: 3, core: 0, jobId: 7, nonce: 8 });
  await tick();
  assert.equal(calls, [3, 1]);
});

test('valid nonces count for hashrate and go on; invalid ones are HW errors of their chip', async () => {
  const { v, stats, valid, hw } = setup();
  v.push({ chain: 0, chip: 1, core: 0, jobId: 5, nonce: 2 });
  v.push({ chain: 0, chip: 1, core: 0, jobId: 5, nonce: 3 });
  await tick();
  assert.equal(valid, [2]);
  assert.equal(hw, [3]);
  const chip = stats.chipSnapshots(0, 2000)[1];
  assert.is(chip.nonces, 1);
  assert.is(chip.hwErrors, 1);
});

test('a nonce for unknown work is counted apart, not as an HW error', async () => {
  const { v, stats, calls } = setup();
  v.push({ chain: 0, chip: 1, core: 0, jobId: 99, nonce: 2 });
  await tick();
  assert.is(v.unknownWork, 1);
  assert.is(stats.minerSnapshot(2000).hwErrors, 0);
  assert.equal(calls, []);
});

test.run();
