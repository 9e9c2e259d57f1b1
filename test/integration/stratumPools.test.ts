/**
 * StratumV1Session against scripted pools on real sockets (test/helpers/rawPool.ts), each share
 * judged by the POOL against the header it expects:
 * - subscribe result + set_difficulty + notify in ONE write, across 20 reconnects;
 * - mining.configure answered with an error, with null, or never;
 * - hostile set_difficulty values (0, negative, NaN/Infinity-like, 1e-300, 1e300, 1.7e308, strings).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { RealClock } from '../../src/hal/clock';
import { getAlgorithm, scryptSimBase, scryptSimNonce } from '../../src/pow';
import { StratumV1Session } from '../../src/stratum';
import { MIN_POOL_DIFFICULTY } from '../../src/stratum/v1/handlers';
import { WorkBuilder, ShareChecker, type Job, type Share } from '../../src/work';
import { burstPool, notifyParams, rawPool, subscribeReply, type Msg, type RawConn, type RawPool } from '../helpers/rawPool';

const clock = new RealClock();
const DIFF = 1 / 1024;

function logSink(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: pino({ level: 'debug' }, { write: (x: string) => { lines.push(JSON.parse(x)); } }) };
}

function session(url: string, extra: Partial<ConstructorParameters<typeof StratumV1Session>[0]> = {}) {
  return new StratumV1Session({ url, user: 'kabosu.w1', password: 'x', clock, logger: pino({ level: 'silent' }), backoffBaseMs: 5, backoffMaxMs: 20, ...extra });
}

async function until(what: string, fn: () => boolean, ms = 8000): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A share for `job` found the way the miner finds them (scrypt-sim nonce at the job's share target). */
async function mineShare(job: Job): Promise<Share> {
  const checker = new ShareChecker(getAlgorithm('scrypt-sim'));
  checker.onJob(job);
  const wb = new WorkBuilder(1);
  wb.setJob(job, Date.now() / 1000);
  const item = wb.next(0, Date.now() / 1000)!;
  for (let salt = 0; salt < 64; salt++) {
    const n = scryptSimNonce(await scryptSimBase(item.header), { fixedMask: 0, fixedValue: 0, target: item.shareTarget, salt });
    const nonce = Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]).readUInt32LE(0);
    const r = await checker.check(item, nonce, 0n);
    if (r.kind === 'share') return r.share;
  }
  throw new Error('no share found');
}

test('subscribe result, set_difficulty and notify in ONE write: the first job of each of 20 connections takes that connection\'s extranonce1; the pool accepts every share', async () => {
  const pool = await rawPool(burstPool(DIFF, (c) => c.sock.destroy())); // the pool hangs up after each share: a reconnect
  const s = session(pool.url);
  const firstJobs: Job[] = [];
  const results: boolean[] = [];
  let seen = -1;
  s.events.on('job', (job) => {
    const n = pool.conns.length - 1;
    if (n === seen) return;
    seen = n;
    firstJobs.push(job);
    void mineShare(job).then((sh) => s.submit(sh)).then((r) => results.push(r.accepted));
  });
  s.start();
  await until('20 shares judged by the pool', () => pool.verdicts.length >= 20, 30_000);
  await s.close();
  await pool.close();
  const rejected = pool.verdicts.filter((v) => !v.ok);
  assert.is(rejected.length, 0, `pool rejected ${rejected.length} of ${pool.verdicts.length}: ${JSON.stringify(rejected.slice(0, 3))}`);
  assert.equal(firstJobs.slice(0, 20).map((j) => j.extranonce1.toString('hex')), pool.conns.slice(0, 20).map((c) => c.extranonce1));
  assert.ok(firstJobs.every((j) => j.difficulty === DIFF));
  assert.ok(s.stats.connects >= 20);
});

test('a job from the previous connection is never re-emitted after a reconnect (it carries the old extranonce1)', async () => {
  // authorize answered before any notify: nothing from connection 0 may reach the miner on connection 1
  const pool = await rawPool((c, m) => {
    if (m.method === 'mining.subscribe') c.write(subscribeReply(c, m.id));
    if (m.method === 'mining.authorize') {
      c.write({ id: m.id, result: true, error: null });
      if (c.n === 0) { c.difficulty = DIFF; c.notify = notifyParams('j0'); c.write({ id: null, method: 'mining.notify', params: c.notify }); }
      else setTimeout(() => { c.notify = notifyParams('j1'); c.write({ id: null, method: 'mining.notify', params: c.notify }); }, 100);
    }
  });
  const s = session(pool.url);
  const jobs: Job[] = [];
  s.events.on('job', (j) => jobs.push(j));
  s.start();
  await until('job j0', () => jobs.length === 1);
  pool.conns[0].sock.destroy();
  await until('job j1', () => jobs.length >= 2);
  assert.equal(jobs.map((j) => [j.jobId, j.extranonce1.toString('hex')]), [['j0', pool.conns[0].extranonce1], ['j1', pool.conns[1].extranonce1]]);
  assert.is(jobs[1].difficulty, 1, 'a new connection starts at difficulty 1 until the pool sets one');
  await s.close(); await pool.close();
});

/** burstPool, with mining.configure answered by `answer` (undefined: never answered). */
function configurePool(answer: ((c: RawConn, m: Msg) => void) | undefined) {
  const base = burstPool(DIFF);
  return (c: RawConn, m: Msg, pool: RawPool): void => {
    if (m.method === 'mining.configure') return answer?.(c, m);
    base(c, m, pool);
  };
}

for (const [name, answer] of [
  ['an error', (c: RawConn, m: Msg) => c.write({ id: m.id, result: null, error: [20, 'Unknown method', null] })],
  ['null', (c: RawConn, m: Msg) => c.write({ id: m.id, result: null, error: null })],
  ['{} (NOMP)', (c: RawConn, m: Msg) => c.write({ id: m.id, result: {}, error: null })],
  ['silence', undefined],
] as const) {
  test(`mining.configure answered with ${name}: sent first, the session still subscribes, mines and its share is accepted`, async () => {
    const pool = await rawPool(configurePool(answer));
    const { logger, lines } = logSink();
    const s = session(pool.url, { minimumDifficulty: 2048, suggestDifficulty: 512, logger });
    const job = s.events.next('job');
    s.start();
    const r = await s.submit(await mineShare(await job));
    assert.ok(r.accepted, JSON.stringify(r));
    const methods = pool.got.filter((m) => m.method).map((m) => m.method);
    assert.equal(methods.slice(0, 2), ['mining.configure', 'mining.subscribe']);
    const conf = pool.got.find((m) => m.method === 'mining.configure')!;
    assert.equal(conf.params, [['minimum-difficulty'], { 'minimum-difficulty.value': 2048 }]);
    assert.equal(pool.got.find((m) => m.method === 'mining.suggest_difficulty')?.params, [512]);
    assert.is(s.stats.connects, 1);
    if (answer) await until('configure outcome logged', () => lines.some((l) => /did not accept mining.configure/.test(String(l.msg))));
    await s.close(); await pool.close();
  });
}

test('a pool that hangs up on mining.configure: the session stops sending it and mines on the next connection', async () => {
  const pool = await rawPool(configurePool((c) => c.sock.destroy()));
  const s = session(pool.url, { minimumDifficulty: 2048 });
  const job = s.events.next('job');
  s.start();
  const r = await s.submit(await mineShare(await job));
  assert.ok(r.accepted, JSON.stringify(r));
  assert.is(pool.got.filter((m) => m.method === 'mining.configure').length, 1);
  assert.is(pool.conns.length, 2);
  await s.close(); await pool.close();
});

test('no minimumDifficulty: mining.configure is not sent (and never version-rolling)', async () => {
  const pool = await rawPool(burstPool(DIFF));
  const s = session(pool.url);
  const job = s.events.next('job');
  s.start();
  await job;
  assert.not.ok(pool.got.some((m) => m.method === 'mining.configure'));
  await s.close(); await pool.close();
});

/** set_difficulty params as raw JSON text (1e400 parses to Infinity; NaN has no JSON form, a NaN line is malformed). */
const HOSTILE = ['0', '-1', '-0.5', '1e400', '-1e400', '1e300', '1.7e308', '"1024"', '"abc"', 'null', '[2]', '{}', 'true'];

test('hostile set_difficulty after an honest start: refused, counted, logged (rate-limited); the job on it is not mined; the session survives and mines again', async () => {
  // connection 0: honest; connection k (1..13): an honest first job, then HOSTILE[k-1] + a notify in one write; then honest again
  const pool = await rawPool((c, m, p) => {
    burstPool(DIFF)(c, m, p);
    const v = HOSTILE[c.n - 1];
    if (m.method === 'mining.authorize' && v !== undefined) {
      setTimeout(() => c.sock.write(`{"id":null,"method":"mining.set_difficulty","params":[${v}]}\n{"id":null,"method":"mining.notify","params":${JSON.stringify(notifyParams(`h${c.n}`))}}\n`), 10);
    }
  });
  const { logger, lines } = logSink();
  const s = session(pool.url, { logger });
  const jobs: Job[] = [];
  s.events.on('job', (j) => jobs.push(j));
  let crashed: unknown;
  const onErr = (e: unknown) => { crashed = e; };
  process.on('uncaughtException', onErr);
  s.start();
  await until('first job', () => jobs.length === 1);
  pool.conns[0].sock.destroy();
  await until('every hostile value sent and survived', () => pool.conns.length > HOSTILE.length + 1 && s.state === 'ready' && jobs[jobs.length - 1].jobId === `j${pool.conns.length - 1}`, 20_000);
  await new Promise((r) => setTimeout(r, 50));
  process.off('uncaughtException', onErr);
  assert.is(crashed, undefined);
  assert.is(s.stats.badDifficulty, HOSTILE.length, JSON.stringify(s.stats));
  assert.is(s.stats.unusableJobs, HOSTILE.length);
  assert.ok(jobs.every((j) => j.difficulty === DIFF), JSON.stringify(jobs.map((j) => j.difficulty)));
  assert.not.ok(jobs.some((j) => j.jobId.startsWith('h')), 'no job on an unusable difficulty reached the miner');
  const warned = lines.filter((l) => /unusable mining.set_difficulty/.test(String(l.msg)));
  assert.ok(warned.length >= 1 && warned.length < HOSTILE.length, `rate-limited warnings: ${warned.length}`);
  assert.ok(lines.some((l) => /pool difficulty unusable/.test(String(l.reason))), 'the drop names the reason');
  // and it still mines: a share on the honest job of the last connection is accepted by the pool
  const r = await s.submit(await mineShare(jobs[jobs.length - 1]));
  assert.ok(r.accepted, JSON.stringify(r));
  await s.close(); await pool.close();
});

test('tiny difficulties (1e-300, 5e-324) are clamped to the smallest distinct target and mined; the pool accepts the share', async () => {
  for (const d of [1e-300, 5e-324]) {
    const pool = await rawPool(burstPool(d));
    const s = session(pool.url);
    const job = await (async () => { const j = s.events.next('job'); s.start(); return j; })();
    assert.is(job.difficulty, MIN_POOL_DIFFICULTY);
    assert.is(s.stats.clampedDifficulty, 1);
    const r = await s.submit(await mineShare(job));
    assert.ok(r.accepted, JSON.stringify(r));
    await s.close(); await pool.close();
  }
});

test.run();
