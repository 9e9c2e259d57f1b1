/**
 * The `score` strategy in PoolManager over real sockets (issue 21 items 5 and 7): two V1 test
 * pools, one behind a delaying TCP proxy (80 ms each way plus jitter), one direct. The fast pool is
 * made ready last, so the slow one is active first; the manager must move to the fast one (after
 * its dwell), say why with the numbers, and a stale pool (no new block while the other announces
 * one) must be left. Short dwell and hold-down so the test runs in seconds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import pino from 'pino';
import { RealClock } from '../../src/hal/clock';
import { StratumV1Session } from '../../src/stratum';
import { startTestPool } from '../../src/pool';
import { PoolManager } from '../../src/pools';

const log = pino({ level: 'silent' });
const clock = new RealClock();
const sess = (url: string) => new StratumV1Session({ url, user: 'w', password: 'x', clock, logger: log, backoffBaseMs: 20, backoffMaxMs: 100 });
/** Closed after each test, passed or failed (a failed one must not keep the process alive). */
const closers: (() => Promise<void>)[] = [];
test.after.each(async () => { for (const c of closers.splice(0).reverse()) await c().catch(() => undefined); });
const track = <T extends { close(): Promise<void> }>(x: T): T => { closers.push(() => x.close()); return x; };

function until(fn: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((res, rej) => { const t0 = Date.now(); const tick = () => fn() ? res() : Date.now() - t0 > ms ? rej(new Error('timeout')) : setTimeout(tick, 10); tick(); });
}

/** A TCP proxy that delays every chunk by `ms` (+ up to `jitterMs`), in both directions, in order. */
async function delayingProxy(target: number, ms: number, jitterMs = 0): Promise<{ port: number; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  const pipe = (from: net.Socket, to: net.Socket) => {
    let last = 0;
    from.on('data', (d) => {
      const at = Math.max(last, Date.now() + ms + Math.random() * jitterMs);
      last = at;
      setTimeout(() => { if (!to.destroyed) to.write(d); }, at - Date.now());
    });
    from.on('close', () => setTimeout(() => to.destroy(), ms));
    from.on('error', () => undefined);
  };
  const srv = net.createServer((c) => {
    const u = net.connect(target, '127.0.0.1');
    socks.add(c); socks.add(u);
    pipe(c, u); pipe(u, c);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: async () => { for (const s of socks) s.destroy(); await new Promise<void>((r) => srv.close(() => r())); },
  };
}

test('score: leaves the 80 ms pool for the direct one after the dwell, with the reason and the scores', async () => {
  const slow = track(await startTestPool({ pow: 'scrypt-sim' }));
  const fast = track(await startTestPool({ pow: 'scrypt-sim' }));
  const proxy = track(await delayingProxy(slow.port, 80, 10));
  const slowUrl = `stratum+tcp://127.0.0.1:${proxy.port}`;
  const fastSession = sess(fast.url);
  const m = new PoolManager([{ session: sess(slowUrl), priority: 0 }, { session: fastSession, priority: 1 }],
    { clock, log, strategy: 'score', score: { dwellMs: 300, minHoldMs: 0 }, scoreIntervalMs: 50 });
  track(m);
  const actives: { url: string | undefined; reason: string; scores?: unknown[] }[] = [];
  m.events.on('active', (a) => actives.push(a));
  // the fast pool connects only once the slow one is active
  const origStart = fastSession.start.bind(fastSession);
  fastSession.start = () => undefined;
  m.start();
  await until(() => m.active === slowUrl);
  origStart();
  await until(() => m.active === fast.url);
  const sw = actives[actives.length - 1];
  assert.match(sw.reason, /score .* beats .* for 0.3 s/);
  assert.ok(Array.isArray(sw.scores) && sw.scores.length === 2, JSON.stringify(sw));
  const h = m.health();
  const slowH = h.find((x) => x.url === slowUrl)!;
  const fastH = h.find((x) => x.url === fast.url)!;
  assert.ok(slowH.measurements.connectLatencyMs.p50! > fastH.measurements.connectLatencyMs.p50! + 100, JSON.stringify(h.map((x) => x.measurements.connectLatencyMs)));
  await new Promise((r) => setTimeout(r, 500));
  assert.is(m.active, fast.url, 'and stays there');
});

test('score: a pool that stops announcing new blocks while the other does is left', async () => {
  const a = track(await startTestPool({ pow: 'scrypt-sim', blockIntervalS: 3600 }));
  const b = track(await startTestPool({ pow: 'scrypt-sim', blockIntervalS: 3600 }));
  const m = new PoolManager([{ session: sess(a.url), priority: 0 }, { session: sess(b.url), priority: 1 }],
    { clock, log, strategy: 'score', score: { staleAfterMs: 200, slackMs: 1000 }, scoreIntervalMs: 50 });
  track(m);
  m.start();
  await until(() => m.active !== undefined && m.health().every((x) => x.state === 'ready'));
  await new Promise((r) => setTimeout(r, 1500)); // past the slack between the two first jobs
  const first = m.active!;
  const other = first === a.url ? b : a;
  other.inject({ kind: 'newBlock' }); // only the standby sees the new block
  await until(() => m.active === other.url);
  assert.ok(m.health().find((x) => x.url === first)!.measurements.lastBlockJobAtMs !== null);
});

test.run();
