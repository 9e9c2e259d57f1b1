/**
 * The `score` strategy (src/pools/score.ts) on PoolMeasurements fed the way PoolManager feeds
 * them, time simulated (pure code, no timers): the issue-21 targets as behaviours.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PoolMeasurements } from '../../../src/pools/measurements';
import { ScoreSelector, scorePools } from '../../../src/pools/score';

/** A seeded LCG in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

interface SimPool { url: string; m: PoolMeasurements; latencyMs: () => number; rejectP: number; stale: boolean; ready: boolean }

/**
 * One share per second to the active pool; both pools announce a block every `blockS` (a stale
 * pool stops announcing); the selector runs every 5 s. Returns shares per pool and the switches.
 */
function simulate(pools: SimPool[], seconds: number, o: { blockS?: number; seed?: number; staleFromS?: number } = {}) {
  const r = rng(o.seed ?? 1);
  const sel = new ScoreSelector();
  const shares = new Map(pools.map((p) => [p.url, 0]));
  const switches: { atS: number; to: string | undefined; reason: string }[] = [];
  let active: string | undefined;
  for (const p of pools) { p.m.state(undefined, 'connecting', 0); p.m.state('connecting', 'ready', 3 * p.latencyMs()); }
  for (let t = 0; t < seconds; t++) {
    const now = t * 1000;
    if (t % (o.blockS ?? 150) === 0) for (const p of pools) if (!(p.stale && t >= (o.staleFromS ?? 0))) p.m.job(true, now + p.latencyMs());
    if (t % 5 === 0) {
      const d = sel.decide(active, pools.map((p) => ({ url: p.url, ready: p.ready, m: p.m.snapshot(now) })), now);
      if (d.switchTo !== active) { switches.push({ atS: t, to: d.switchTo, reason: d.reason }); active = d.switchTo; }
    }
    const p = pools.find((x) => x.url === active);
    if (!p) continue;
    shares.set(p.url, shares.get(p.url)! + 1);
    p.m.submitted(p.latencyMs(), r() < p.rejectP ? 'other' : 'accepted');
  }
  return { shares, switches };
}

const pool = (url: string, latencyMs: () => number, rejectP = 0.01): SimPool => ({ url, m: new PoolMeasurements(), latencyMs, rejectP, stale: false, ready: true });

test('5 ms vs 80 ms, equal reject rates: >= 95% of shares go to the faster pool, whichever comes first', () => {
  for (const order of [0, 1]) {
    const fast = pool('fast', () => 5); const slow = pool('slow', () => 80);
    const { shares, switches } = simulate(order ? [slow, fast] : [fast, slow], 3600);
    const f = shares.get('fast')! / 3600;
    assert.ok(f >= 0.95, `fast got ${(f * 100).toFixed(1)}% (order ${order}); switches ${JSON.stringify(switches)}`);
  }
});

test('one pool goes stale (no new block jobs): the selector leaves it within 2 block intervals', () => {
  const a = pool('a', () => 5); const b = pool('b', () => 40);
  a.stale = true;
  const { switches } = simulate([a, b], 1800, { blockS: 150, staleFromS: 300 });
  const leave = switches.find((s) => s.to === 'b' && s.atS >= 300);
  assert.ok(leave, JSON.stringify(switches));
  assert.ok(leave!.atS - 300 <= 2 * 150, `left after ${leave!.atS - 300} s`);
  assert.match(leave!.reason, /behind on new blocks/);
});

test('jitter alone (same mean latency, +-30 ms): at most 1 switch per 10 minutes over 2 hours', () => {
  const r = rng(7);
  const a = pool('a', () => 40 + (r() - 0.5) * 60); const b = pool('b', () => 40 + (r() - 0.5) * 60);
  // both measured already (each was active before): the case where noise could flip the order
  for (const p of [a, b]) for (let i = 0; i < 256; i++) p.m.submitted(p.latencyMs(), r() < p.rejectP ? 'other' : 'accepted');
  const { switches } = simulate([a, b], 7200, { seed: 3 });
  const byScore = switches.slice(1); // the first is the start
  for (let i = 1; i < byScore.length; i++) assert.ok(byScore[i].atS - byScore[i - 1].atS >= 600, JSON.stringify(byScore));
  assert.ok(byScore.length <= 12, `${byScore.length} switches`);
});

test('with both pools measured, the one rejecting half its shares is left (reject rate in the formula)', () => {
  const a = pool('a', () => 5, 0.5); const b = pool('b', () => 20, 0.01);
  for (let i = 0; i < 32; i++) b.m.submitted(20, i === 0 ? 'other' : 'accepted'); // b was active earlier
  // (an unmeasured standby takes the measured pools' mean rates; a pool that rejects in a row is
  // penalized by PoolManager's consecutive-reject rule in either strategy)
  const { shares, switches } = simulate([a, b], 1800);
  assert.ok(shares.get('b')! > shares.get('a')!, JSON.stringify({ shares: [...shares], switches }));
});

test('not-ready pools score -1; the formula is the documented product', () => {
  const m = new PoolMeasurements();
  for (let i = 0; i < 20; i++) m.submitted(15, i < 2 ? 'other' : i < 3 ? 'stale' : 'accepted');
  m.job(true, 0); m.job(true, 100_000);
  const [s, down] = scorePools([{ url: 'x', ready: true, m: m.snapshot(100_000) }, { url: 'y', ready: false, m: m.snapshot(100_000) }], 100_000);
  assert.ok(Math.abs(s.score - (1 - 0.1) * (1 - 0.05) * (1 - 15 / 100_000)) < 1e-12, String(s.score));
  assert.is(down.score, -1);
});

test.run();
