import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { RealClock } from '../../src/hal/clock';
import { StratumV1Session } from '../../src/stratum';
import { startTestPool } from '../../src/pool';
import { PoolManager } from '../../src/pools';
import { rejectsWith } from '../helpers/rejects';

const log = pino({ level: 'silent' });
const clock = new RealClock();
const sess = (url: string) => new StratumV1Session({ url, user: 'w', password: 'x', clock, logger: log, backoffBaseMs: 20, backoffMaxMs: 100 });
function until(fn: () => boolean, ms = 5000): Promise<void> {
  return new Promise((res, rej) => { const t0 = Date.now(); const tick = () => fn() ? res() : Date.now() - t0 > ms ? rej(new Error('timeout')) : setTimeout(tick, 5); tick(); });
}

test('uses the highest-priority ready pool, fails over when it goes down and fails back when it returns', async () => {
  let p1 = await startTestPool({ pow: 'scrypt-sim' });
  const p2 = await startTestPool({ pow: 'scrypt-sim' });
  const port1 = p1.port;
  const m = new PoolManager([{ session: sess(p2.url), priority: 2 }, { session: sess(p1.url), priority: 1 }], { clock, log });
  const actives: (string | undefined)[] = [];
  const jobsFrom: string[] = [];
  m.events.on('active', (a) => actives.push(a.url));
  m.events.on('job', (j) => jobsFrom.push(j.url));
  m.start();
  await until(() => m.active === p1.url && jobsFrom.includes(p1.url));
  await p1.close();
  await until(() => m.active === p2.url);
  await until(() => jobsFrom[jobsFrom.length - 1] === p2.url);
  p1 = await startTestPool({ pow: 'scrypt-sim', port: port1 });
  await until(() => m.active === p1.url);
  assert.is(actives[actives.length - 1], p1.url);
  assert.ok(actives.includes(p2.url));
  await m.close(); await p1.close(); await p2.close();
});

test('repeated rejects fail over to the next pool and are counted with latency per pool', async () => {
  const p1 = await startTestPool({ pow: 'scrypt-sim' });
  const p2 = await startTestPool({ pow: 'scrypt-sim' });
  const m = new PoolManager([{ session: sess(p1.url), priority: 1 }, { session: sess(p2.url), priority: 2 }], { clock, log, maxConsecutiveRejects: 3, rejectPenaltyMs: 60_000 });
  m.start();
  await until(() => m.active === p1.url && m.health()[1].state === 'ready');
  const bogus = { workId: 1, jobId: 'nope', extranonce2: '00000000', ntime: '00000000', nonce: '00000000', difficulty: 1, hashDifficulty: 0 };
  for (let i = 0; i < 3; i++) { const r = await m.submit(bogus); assert.is(r.accepted, false); assert.is(r.url, p1.url); }
  assert.is(m.active, p2.url);
  const h = m.health();
  assert.is(h[0].rejected, 3);
  assert.ok(h[0].latencyEwmaMs !== null && h[0].latencyEwmaMs >= 0);
  assert.ok(h[0].penalizedUntil > clock.now());
  assert.ok(h[1].active);
  await m.close(); await p1.close(); await p2.close();
});

test('with no pool reachable, submit answers "no active pool" instead of throwing', async () => {
  const p = await startTestPool({ pow: 'scrypt-sim' });
  const url = p.url; await p.close();
  const m = new PoolManager([{ session: sess(url), priority: 1 }], { clock, log });
  m.start();
  const r = await m.submit({ workId: 1, jobId: '1', extranonce2: '00', ntime: '00000000', nonce: '00000000', difficulty: 1, hashDifficulty: 0 });
  assert.equal([r.accepted, r.url], [false, undefined]);
  await m.close();
});

test('run-time changes: switch moves to the top, disable skips, last enabled kept, add/remove/reorder', async () => {
  const p1 = await startTestPool({ pow: 'scrypt-sim' });
  const p2 = await startTestPool({ pow: 'scrypt-sim' });
  const p3 = await startTestPool({ pow: 'scrypt-sim' });
  const m = new PoolManager([{ session: sess(p1.url), priority: 1 }, { session: sess(p2.url), priority: 2 }], { clock, log });
  m.start();
  await until(() => m.active === p1.url && m.health()[1].state === 'ready');
  m.switchTo(p2.url);
  assert.is(m.active, p2.url);
  assert.equal(m.urls, [p2.url, p1.url]);
  assert.equal(m.health().map((h) => h.priority), [0, 1]);
  m.disable(p2.url);
  assert.is(m.active, p1.url);
  await rejectsWith(Promise.resolve().then(() => m.disable(p1.url)), 'KBS_E_POOLS_LAST_ENABLED');
  await rejectsWith(m.remove(p1.url), 'KBS_E_POOLS_ACTIVE');
  m.enable(p2.url);
  assert.is(m.active, p2.url);
  m.add(sess(p3.url));
  await rejectsWith(Promise.resolve().then(() => m.add(sess(p3.url))), 'KBS_E_POOLS_DUPLICATE');
  await until(() => m.health()[2].state === 'ready');
  m.reorder([p3.url]);
  assert.equal([m.active, m.urls], [p3.url, [p3.url, p2.url, p1.url]]);
  await m.remove(p1.url);
  assert.equal(m.urls, [p3.url, p2.url]);
  await m.remove(p3.url, { force: true }); // the config dropped the active pool
  assert.equal([m.active, m.urls], [p2.url, [p2.url]]);
  await rejectsWith(Promise.resolve().then(() => m.switchTo('stratum+tcp://nowhere:1')), 'KBS_E_POOLS_UNKNOWN');
  await m.close(); await p1.close(); await p2.close(); await p3.close();
});

test.run();
