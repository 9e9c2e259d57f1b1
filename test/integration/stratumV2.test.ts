/**
 * Stratum V2 over real loopback sockets: StratumV2Session against the SV2 test pool (src/pool
 * v2server), and against hand-made hostile servers. Covers the handshake and channel, real share
 * submission (scrypt-sim and real scrypt), the authority check (wrong key, validity window with
 * the 10 s leeway), tampered and malformed frames, SetTarget and Reconnect.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { RealClock } from '../../src/hal/clock';
import { getAlgorithm, scryptSimBase, scryptSimNonce } from '../../src/pow';
import { StratumV2Session, type V2SessionOptions } from '../../src/stratum';
import { DEV_AUTHORITY_KEY, DEV_AUTHORITY_SECRET_HEX, startV2TestPool, type V2TestPool, type V2TestPoolOptions } from '../../src/pool';
import { ShareChecker, WorkBuilder, type Job, type Share } from '../../src/work';

const clock = new RealClock();
const pools: V2TestPool[] = [];
const sessions: StratumV2Session[] = [];
test.after.each(async () => {
  for (const s of sessions.splice(0)) await s.close();
  for (const p of pools.splice(0)) await p.close();
});

async function pool(o: V2TestPoolOptions = {}): Promise<V2TestPool> {
  const p = await startV2TestPool({ difficulty: 0.001, ...o });
  pools.push(p);
  return p;
}

interface Probe { s: StratumV2Session; jobs: Job[]; states: string[]; logs: string[] }
function session(url: string, extra: Partial<V2SessionOptions> = {}): Probe {
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void logs.push(l) });
  const s = new StratumV2Session({ url, user: 'kabosu.w1', clock, logger, backoffBaseMs: 20, backoffMaxMs: 100, ...extra });
  sessions.push(s);
  const p: Probe = { s, jobs: [], states: [], logs };
  s.events.on('job', (j) => p.jobs.push(j));
  s.events.on('state', (e) => p.states.push(`${e.state}${e.reason ? `: ${e.reason}` : ''}`));
  s.start();
  return p;
}

function until<T>(fn: () => T | undefined | false, ms = 8000): Promise<T> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const tick = () => { const v = fn(); if (v !== undefined && v !== false) return res(v as T); if (Date.now() - t0 > ms) return rej(new Error('timeout')); setTimeout(tick, 5); };
    tick();
  });
}

/** A share for the job (scrypt-sim finds one at the target directly; real scrypt: brute force). */
async function mine(job: Job, pow: 'scrypt' | 'scrypt-sim' = 'scrypt-sim'): Promise<Share> {
  const alg = getAlgorithm(pow);
  const checker = new ShareChecker(alg);
  checker.onJob(job);
  const wb = new WorkBuilder(1);
  wb.setJob(job, Date.now() / 1000);
  const item = wb.next(0, Date.now() / 1000)!;
  if (pow === 'scrypt-sim') {
    for (let salt = 0; salt < 64; salt++) {
      const n = scryptSimNonce(await scryptSimBase(item.header), { fixedMask: 0, fixedValue: 0, target: item.shareTarget, salt });
      const r = await checker.check(item, Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]).readUInt32LE(0), 0n);
      if (r.kind === 'share') return r.share;
    }
  }
  for (let n = 0; n < 2_000_000; n++) {
    const r = await checker.check(item, n, 0n);
    if (r.kind === 'share') return r.share;
  }
  throw new Error('no share found');
}

test('handshake, SetupConnection and a standard channel: the first job arrives and a share is accepted', async () => {
  const p = await pool();
  const c = session(p.url);
  const job = await until(() => c.jobs[0]);
  assert.is(c.s.state, 'ready');
  assert.ok(job.merkleRoot && job.merkleRoot.length === 32, 'header-only job');
  assert.ok(job.cleanJobs);
  const r = await c.s.submit(await mine(job));
  assert.equal(r.accepted, true, JSON.stringify(r));
  assert.is(p.stats().accepted, 1);
  assert.is(c.s.stats.accepted, 1);
});

test('real scrypt over V2: the pool re-hashes the submitted header with scrypt and accepts it', async () => {
  const p = await pool({ pow: 'scrypt', difficulty: 1 / 65536 / 16 });
  const c = session(p.url);
  const job = await until(() => c.jobs[0]);
  const r = await c.s.submit(await mine(job, 'scrypt'));
  assert.equal(r.accepted, true, JSON.stringify(r));
  assert.is(p.stats().accepted, 1);
});

test('a share the pool judges too weak is rejected with the SV2 error code as the reason', async () => {
  const p = await pool({ difficulty: 0.001 });
  const c = session(p.url);
  const job = await until(() => c.jobs[0]);
  const share = await mine(job);
  p.inject({ kind: 'setTarget', difficulty: 1e9 });
  await until(() => c.jobs.length >= 2 && c.jobs[1]);
  assert.ok(c.jobs[1].difficulty > 1e8, 'SetTarget re-issues the job at the new difficulty');
  const r = await c.s.submit(share);
  assert.equal(r.accepted, false);
  if (!r.accepted) assert.is(r.reason, 'difficulty-too-low');
});

test('wrong authority key in the URL: the certificate is refused, nothing is mined, the reason is reported', async () => {
  const p = await pool(); // a random authority key, not the dev one
  const url = p.url.replace(p.authorityKey, DEV_AUTHORITY_KEY);
  const c = session(url);
  await until(() => c.s.stats.authorityFailures >= 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(c.jobs.length, 0);
  assert.ok(c.s.state !== 'ready');
  assert.match(c.s.lastError ?? '', /authority check failed: certificate is not signed by the authority key in the pool URL/);
  assert.ok(c.states.some((s) => s.startsWith('backoff: authority check failed')), c.states.join('\n'));
  assert.is(p.stats().channels, 0, 'no SetupConnection / channel after a refused certificate');
  assert.ok(c.logs.some((l) => /"level":50.*pool refused: its certificate does not match/.test(l)));
});

test('a worker name longer than 255 UTF-8 bytes is cut on a character boundary, not a crash', async () => {
  const p = await pool();
  const c = session(p.url, { user: 'ü'.repeat(200) }); // 400 bytes
  await until(() => c.jobs[0]);
  assert.is(c.s.state, 'ready');
});

test('the right key works: the dev authority key pair', async () => {
  const p = await pool({ authoritySecret: DEV_AUTHORITY_SECRET_HEX });
  assert.is(p.authorityKey, DEV_AUTHORITY_KEY);
  const c = session(p.url);
  await until(() => c.jobs[0]);
});

const now = () => Math.floor(Date.now() / 1000);
for (const [what, o, ok, re] of [
  ['valid_from 5 s ahead (inside the 10 s leeway)', () => ({ certValidFrom: now() + 5 }), true, null],
  ['valid_from 60 s ahead', () => ({ certValidFrom: now() + 60 }), false, /not valid before/],
  ['expired 5 s ago (inside the leeway)', () => ({ certValidFrom: now() - 3600, certNotValidAfter: now() - 5 }), true, null],
  ['expired 60 s ago', () => ({ certValidFrom: now() - 3600, certNotValidAfter: now() - 60 }), false, /certificate expired/],
] as const) {
  test(`certificate validity: ${what} -> ${ok ? 'accepted' : 'refused'}`, async () => {
    const p = await pool(o());
    const c = session(p.url);
    if (ok) { await until(() => c.jobs[0]); assert.is(c.s.stats.authorityFailures, 0); return; }
    await until(() => c.s.stats.authorityFailures >= 1);
    assert.match(c.s.lastError ?? '', re!);
    assert.is(c.jobs.length, 0);
  });
}

test('a tampered frame from the pool: KBS_E_SV2_DECRYPT, the connection is dropped, the session reconnects and mines again', async () => {
  const p = await pool();
  const c = session(p.url);
  await until(() => c.jobs[0]);
  p.inject({ kind: 'tamper' });
  await until(() => c.s.stats.disconnects >= 1);
  assert.match(c.s.lastError ?? '', /KBS_E_SV2_DECRYPT: frame payload: authentication tag mismatch/);
  await until(() => c.jobs.length >= 2 && c.s.state === 'ready');
  const r = await c.s.submit(await mine(c.jobs[c.jobs.length - 1]));
  assert.equal(r.accepted, true, JSON.stringify(r));
  assert.is(p.stats().handshakes, 2);
});

test('a malformed (but authenticated) frame from the pool: a clear warning, counted, the session stays up and mining', async () => {
  const p = await pool();
  const c = session(p.url);
  const job = await until(() => c.jobs[0]);
  p.inject({ kind: 'garbage' });
  await until(() => c.s.stats.malformed >= 1);
  assert.is(c.s.state, 'ready');
  assert.is(c.s.stats.disconnects, 0);
  assert.ok(c.logs.some((l) => /malformed SV2 message from pool; ignored/.test(l) && /NewMiningJob.channelId: needs 4 bytes/.test(l)), 'the log names the message and field');
  const r = await c.s.submit(await mine(job));
  assert.equal(r.accepted, true);
});

test('a server that is not an SV2 pool (random bytes for act 2): a clear handshake error, no crash, backoff', async () => {
  const srv = net.createServer((sock) => sock.once('data', () => sock.write(randomBytes(234))));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const c = session(`stratum2+tcp://127.0.0.1:${port}/${DEV_AUTHORITY_KEY}`);
    await until(() => c.s.stats.disconnects >= 1);
    assert.match(c.s.lastError ?? '', /KBS_E_SV2_DECRYPT: handshake static key: authentication tag mismatch/);
    assert.is(c.jobs.length, 0);
    await c.s.close();
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('Reconnect to another port of the same host (same authority): the session follows and re-handshakes', async () => {
  const a = await pool({ authoritySecret: DEV_AUTHORITY_SECRET_HEX });
  const b = await pool({ authoritySecret: DEV_AUTHORITY_SECRET_HEX });
  const c = session(a.url);
  await until(() => c.jobs[0]);
  a.inject({ kind: 'reconnect', port: b.port });
  await until(() => b.stats().channels === 1);
  await until(() => c.s.state === 'ready' && c.jobs.length >= 2);
  const r = await c.s.submit(await mine(c.jobs[c.jobs.length - 1]));
  assert.equal(r.accepted, true);
  assert.is(b.stats().accepted, 1);
});

test('a new block: SetNewPrevHash activates the future job (clean); a share of the old job is not sent', async () => {
  const p = await pool();
  const c = session(p.url);
  const job = await until(() => c.jobs[0]);
  const old = await mine(job);
  p.inject({ kind: 'newBlock' });
  const next = await until(() => c.jobs[1]);
  assert.ok(next.cleanJobs);
  assert.not.equal(next.prevhash.toString('hex'), job.prevhash.toString('hex'));
  const r = await c.s.submit(old);
  assert.equal(r.accepted, false);
  if (!r.accepted) assert.match(r.reason, /not live on this channel/);
});

test.run();
