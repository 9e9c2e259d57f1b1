import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FlatlineWatchdog, type WatchdogSample } from '../../../src/health/flatlineWatchdog';

const P = { windowMs: 600_000, p: 1e-6, maxRestartsPerHour: 2, expectedNoncesPerSec: 10 };
const base: WatchdogSample = { atMs: 0, chipNonces: 0, chipHashes: 0, accepted: 0, rejected: 0, notSubmitted: 0, shareDifficulty: 1024, workFlowing: true };

test('healthy: nonces flow and shares are credited as the work implies', () => {
  const w = new FlatlineWatchdog(P);
  const s = { ...base };
  for (let t = 0; t <= 1200; t += 10) {
    s.atMs = t * 1000;
    s.chipNonces += 100;
    s.chipHashes += 100 * 64 * 65536;
    s.accepted += 6; // 6400 diff-1 per 10 s / 1024 = 6.25 shares
    assert.is(w.update({ ...s }).state, 'ok', `t=${t}`);
  }
});

test('flatline: nonces stop while work flows -> flatline with a restart, once', () => {
  const w = new FlatlineWatchdog(P);
  const s = { ...base };
  w.update({ ...s });
  s.atMs = 10_000;
  const v = w.update({ ...s });
  assert.is(v.state, 'flatline');
  assert.ok(v.restart && v.changed);
  assert.match(v.rootCause, /no verified nonce/);
  s.atMs = 20_000;
  const again = w.update({ ...s });
  assert.is(again.state, 'flatline');
  assert.is(again.restart, false, 'one restart per episode');
});

test('divergence: chips hash but nothing is credited; the root cause reads the counters; restarts are bounded', () => {
  const w = new FlatlineWatchdog(P);
  const s = { ...base };
  let restarts = 0;
  const verdicts: string[] = [];
  for (let t = 0; t <= 3000; t += 10) {
    s.atMs = t * 1000;
    s.chipNonces += 100;
    s.chipHashes += 100 * 64 * 65536;
    s.rejected += 6;
    // alternate healthy periods to trigger several episodes
    if (Math.floor(t / 300) % 2 === 1) s.accepted += 12;
    const v = w.update({ ...s });
    if (v.restart) restarts++;
    verdicts.push(v.state);
    if (v.state === 'divergence') assert.match(v.rootCause, /rejects/);
  }
  assert.ok(verdicts.includes('divergence'));
  assert.ok(restarts <= 2 * Math.ceil(3000 / 3600), `restarts ${restarts}`);
  const idle = new FlatlineWatchdog(P);
  assert.is(idle.update({ ...base, workFlowing: false }).state, 'unknown');
});

test('a pool difficulty below the ticket (the host floor) is not divergence: shares are expected at the ticket', () => {
  // The pool asks for difficulty 1; the host's floor keeps the ticket at 64, so every verified
  // nonce is one share (each at least difficulty 64) and the pool credits one share per nonce.
  const w = new FlatlineWatchdog(P);
  const s = { ...base, shareDifficulty: 1, ticketDifficulty: 64 };
  for (let t = 0; t <= 1200; t += 10) {
    s.atMs = t * 1000;
    s.chipNonces += 100;
    s.chipHashes += 100 * 64 * 65536;
    s.accepted += 100;
    assert.is(w.update({ ...s }).state, 'ok', `t=${t}`);
  }
  // without the ticket in the sample the same credit looks like 98 % of the shares lost
  const blind = new FlatlineWatchdog(P);
  const b = { ...base, shareDifficulty: 1 };
  const states: string[] = [];
  for (let t = 0; t <= 1200; t += 10) {
    b.atMs = t * 1000;
    b.chipNonces += 100;
    b.chipHashes += 100 * 64 * 65536;
    b.accepted += 100;
    states.push(blind.update({ ...b }).state);
  }
  assert.ok(states.includes('divergence'));
});

test.run();
