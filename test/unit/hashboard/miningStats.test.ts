import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MiningStats } from '../../../src/hashboard/miningStats';

test('nonces and HW errors roll up from chip to chain to miner', () => {
  const s = new MiningStats([3, 3], 0);
  s.recordNonce(0, 1, 1000, 100);
  s.recordNonce(1, 2, 1000, 200);
  s.recordNonce(1, 2, 1000, 300);
  s.recordHwError(1, 2);
  const m = s.minerSnapshot(1000);
  assert.is(m.nonces, 3);
  assert.is(m.hwErrors, 1);
  assert.is(m.hwErrorRatio, 0.25);
  assert.is(s.chainSnapshot(1, 1000).nonces, 2);
  const chips = s.chipSnapshots(1, 1000);
  assert.equal(chips.map((c) => c.nonces), [0, 0, 2]);
  assert.is(chips[2].lastNonceMs, 300);
  assert.is(chips[0].lastNonceMs, null);
});

test('every window is reported with its hashrate and error', () => {
  const s = new MiningStats([1], 0);
  for (let t = 0; t < 60_000; t += 100) s.recordNonce(0, 0, 65536, t);
  const snap = s.chainSnapshot(0, 60_000);
  for (const w of ['5s', '1m', '15m', 'total'] as const) {
    assert.ok(Math.abs(snap.hashrate[w].hps / (10 * 65536) - 1) < 0.05, w);
    assert.ok(Math.abs(snap.hashrate[w].relErr - 1 / Math.sqrt(snap.hashrate[w].nonces)) < 1e-12);
  }
});

test('out-of-range chain or chip indexes count only where they exist', () => {
  const s = new MiningStats([2], 0);
  s.recordNonce(0, 9, 1, 0);
  s.recordHwError(5, 0);
  assert.is(s.minerSnapshot(1).nonces, 1);
  assert.is(s.minerSnapshot(1).hwErrors, 1);
  assert.is(s.chainSnapshot(0, 1).nonces, 1);
});

test.run();
