import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChainHealthTracker } from '../../../src/health/chainHealth';

const ok72 = Array(72).fill('ok');

test('a full chain with clean frames is ok', () => {
  const t = new ChainHealthTracker();
  const v = t.update(1000, { expectedChips: 72, chipsFound: 72, frames: 5000, badFrames: 2, chips: ok72 });
  assert.is(v.state, 'ok');
  assert.equal(v.problems, []);
});

test('missing and dead chips degrade the chain; over half gone fails it; none found fails it', () => {
  const t = new ChainHealthTracker();
  let v = t.update(1000, { expectedChips: 72, chipsFound: 70, frames: 0, badFrames: 0, chips: ok72.slice(0, 70) });
  assert.is(v.state, 'degraded');
  assert.is(v.problems[0].kind, 'chips_missing');
  assert.ok(v.changed);
  v = t.update(2000, { expectedChips: 72, chipsFound: 72, frames: 0, badFrames: 0, chips: ['dead', ...ok72.slice(1)] });
  assert.is(v.state, 'degraded');
  assert.equal(v.problems.map((p) => p.kind), ['chips_dead']);
  v = t.update(3000, { expectedChips: 72, chipsFound: 30, frames: 0, badFrames: 0, chips: ok72.slice(0, 30) });
  assert.is(v.state, 'failed');
  v = t.update(4000, { expectedChips: 72, chipsFound: 0, frames: 0, badFrames: 0, chips: [] });
  assert.is(v.state, 'failed');
  assert.is(v.problems[0].kind, 'no_chips');
  assert.is(t.update(5000, { expectedChips: 72, chipsFound: null, frames: 0, badFrames: 0, chips: [] }).state, 'unknown');
});

test('CRC errors degrade with confidence and clear with hysteresis once the window is clean', () => {
  const t = new ChainHealthTracker({ crcEnter: 0.01, crcExit: 0.005, z: 3, windowMs: 60_000 });
  let frames = 0;
  let bad = 0;
  t.update(0, { expectedChips: 72, chipsFound: 72, frames, badFrames: bad, chips: ok72 });
  // 3 bad of 100 frames: not yet significant
  frames += 97;
  bad += 3;
  assert.is(t.update(1000, { expectedChips: 72, chipsFound: 72, frames, badFrames: bad, chips: ok72 }).state, 'ok');
  // 5 % over thousands of frames: significant
  frames += 4750;
  bad += 250;
  const v = t.update(10_000, { expectedChips: 72, chipsFound: 72, frames, badFrames: bad, chips: ok72 });
  assert.is(v.state, 'degraded');
  assert.equal(v.problems.map((p) => p.kind), ['crc_errors']);
  // clean traffic for longer than the window clears it
  let state = 'degraded';
  for (let s = 20; s <= 200; s += 10) {
    frames += 2000;
    state = t.update(s * 1000, { expectedChips: 72, chipsFound: 72, frames, badFrames: bad, chips: ok72 }).state;
  }
  assert.is(state, 'ok');
});

test.run();
