import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../../src/hal/clock';
import { getAlgorithm, scryptSimBase, scryptSimNonce } from '../../src/pow';
import { StratumV1Session, type SubmitResult } from '../../src/stratum';
import { startTestPool } from '../../src/pool';
import { WorkBuilder, ShareChecker, type Job, type Share } from '../../src/work';

const log = pino({ level: 'silent' });
const clock = new RealClock();

function session(url: string, extra: Partial<ConstructorParameters<typeof StratumV1Session>[0]> = {}) {
  return new StratumV1Session({ url, user: 'kabosu.w1', password: 's3cret', clock, logger: log, backoffBaseMs: 20, backoffMaxMs: 200, ...extra });
}

function until<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const tick = () => { const v = fn(); if (v !== undefined && v !== false) return res(v); if (Date.now() - t0 > ms) return rej(new Error('timeout')); setTimeout(tick, 5); };
    tick();
  });
}

/** scrypt-sim nonce meeting `target`, as the LE u32 of its header bytes (what mining.submit encodes). */
async function simNonce(header: Buffer, target: bigint, salt: number): Promise<number> {
  const n = scryptSimNonce(await scryptSimBase(header), { fixedMask: 0, fixedValue: 0, target, salt });
  return Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]).readUInt32LE(0);
}

/** Mine a share for the session's latest job by brute force on the CPU. */
async function mineShare(s: StratumV1Session, job: Job, pow: 'scrypt' | 'scrypt-sim', wb: WorkBuilder): Promise<Share> {
  const checker = new ShareChecker(getAlgorithm(pow));
  checker.onJob(job);
  wb.setJob(job, Date.now() / 1000);
  const item = wb.next(0, Date.now() / 1000)!;
  if (pow === 'scrypt-sim') {
    // the scrypt-sim construction finds a nonce at the target directly (src/pow/README.md)
    for (let salt = 0; salt < 64; salt++) {
      const r = await checker.check(item, await simNonce(item.header, item.shareTarget, salt), 0n);
      if (r.kind === 'share') return r.share;
    }
  }
  for (let n = 0; n < 1_000_000; n++) {
    const r = await checker.check(item, n, 0n);
    if (r.kind === 'share') return r.share;
  }
  throw new Error('no share found');
}

function lastJob(s: StratumV1Session): { get: () => Job | undefined } {
  let j: Job | undefined;
  s.events.on('job', (x) => { j = x; });
  return { get: () => j };
}

test('client subscribes, authorizes, gets a job and its shares are accepted by the test pool (scrypt-sim)', async () => {
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 1 / 1024 });
  const s = session(pool.url);
  const jobs = lastJob(s);
  const states: string[] = [];
  s.events.on('state', (x) => states.push(x.state));
  s.start();
  const job = await until(jobs.get);
  assert.is(s.state, 'ready');
  assert.equal(states.slice(0, 4), ['connecting', 'subscribing', 'authorizing', 'ready']);
  assert.is(job.difficulty, 1 / 1024);
  assert.is(job.extranonce1.length, 4);
  const wb = new WorkBuilder(1);
  for (let i = 0; i < 3; i++) {
    const r = await s.submit(await mineShare(s, job, 'scrypt-sim', wb));
    assert.ok(r.accepted, JSON.stringify(r));
    assert.ok(r.latencyMs >= 0);
  }
  assert.is(pool.stats().accepted, 3);
  await s.close(); await pool.close();
});

test('pool rejects by reason: duplicate, low difficulty, unknown job, stale after clean_jobs, bad nonce', async () => {
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 1 / 1024 });
  const s = session(pool.url);
  const jobs = lastJob(s);
  s.start();
  const job = await until(jobs.get);
  const wb = new WorkBuilder(1);
  const share = await mineShare(s, job, 'scrypt-sim', wb);
  assert.ok((await s.submit(share)).accepted);
  const dup = await s.submit(share) as Extract<SubmitResult, { accepted: false }>;
  assert.equal([dup.accepted, dup.code], [false, 22]);
  const unk = await s.submit({ ...share, jobId: 'ffff' }) as Extract<SubmitResult, { accepted: false }>;
  assert.is(unk.code, 21);
  const bad = await s.submit({ ...share, nonce: '123' }) as Extract<SubmitResult, { accepted: false }>;
  assert.is(bad.code, 20);
  // a nonce that misses the share target: find one with the checker at a tiny target
  const checker = new ShareChecker(getAlgorithm('scrypt-sim'));
  checker.onJob(job);
  const item = wb.next(0, Date.now() / 1000)!;
  let low: Share | undefined;
  for (let salt = 0; !low; salt++) {
    const n = await simNonce(item.header, (1n << 256n) - 1n, salt);
    const r = await checker.check(item, n, (1n << 256n) - 1n);
    if (r.kind === 'ticket') low = { ...share, extranonce2: item.extranonce2.toString('hex'), ntime: item.ntime.toString(16).padStart(8, '0'), nonce: n.toString(16).padStart(8, '0') };
  }
  const lowR = await s.submit(low) as Extract<SubmitResult, { accepted: false }>;
  assert.is(lowR.code, 23);
  const newJob = s.events.next('job');
  pool.inject({ kind: 'newBlock' });
  assert.ok((await newJob).cleanJobs);
  const share2 = await mineShare(s, job, 'scrypt-sim', wb);
  const st = await s.submit(share2) as Extract<SubmitResult, { accepted: false }>;
  assert.is(st.code, 21);
  const r = pool.stats().rejected;
  assert.equal([r.duplicate, r.unknownJob, r.badNonce, r.lowDifficulty, r.stale], [1, 1, 1, 1, 1]);
  await s.close(); await pool.close();
});

test('reconnects after a dropped connection, resending the subscription id', async () => {
  const pool = await startTestPool({ pow: 'scrypt-sim' });
  const s = session(pool.url);
  s.start();
  await until(() => s.state === 'ready');
  const firstE1 = pool.stats().clients[0].extranonce1;
  pool.inject({ kind: 'drop' });
  await until(() => s.state === 'backoff');
  await until(() => s.state === 'ready');
  assert.ok(s.stats.disconnects >= 1);
  // the resubscribe carries the previous subscription id (the pool uses its extranonce1 as the id)
  assert.equal(pool.stats().clients[0].subscribeParams, ['kabosu/0.1', firstE1]);
  await s.close(); await pool.close();
});

test('a stalled pool trips the read-idle timeout and the client reconnects', async () => {
  const pool = await startTestPool({ pow: 'scrypt-sim' });
  const s = session(pool.url, { idleTimeoutMs: 150 });
  s.start();
  await until(() => s.state === 'ready');
  pool.inject({ kind: 'stall', ms: 400 });
  await until(() => s.stats.disconnects >= 1 ? true : undefined);
  await until(() => s.state === 'ready', 5000);
  await s.close(); await pool.close();
});

test('garbage lines are counted and survived; set_extranonce applies to the next job; client.reconnect is followed', async () => {
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 1 / 1024 });
  const pool2 = await startTestPool({ pow: 'scrypt-sim', difficulty: 1 / 1024 });
  const s = session(pool.url);
  const jobs = lastJob(s);
  s.start();
  const j1 = await until(jobs.get);
  pool.inject({ kind: 'garbage', lines: 5 });
  await until(() => s.stats.malformed >= 4 ? true : undefined);
  assert.is(s.state, 'ready');
  const en = s.events.next('extranonce');
  const nj = s.events.next('job');
  pool.inject({ kind: 'set_extranonce' });
  const e = await en;
  const j2 = await nj;
  assert.not.equal(e.extranonce1, j1.extranonce1);
  assert.equal(j2.extranonce1, e.extranonce1);
  assert.ok((await s.submit(await mineShare(s, j2, 'scrypt-sim', new WorkBuilder(1)))).accepted);
  pool.inject({ kind: 'reconnect', port: pool2.port });
  await until(() => pool2.stats().connections === 1 && s.state === 'ready' ? true : undefined);
  assert.is(s.currentEndpoint.port, pool2.port);
  await s.close(); await pool.close(); await pool2.close();
});

test('TLS: client connects over stratum+ssl with a self-signed cert and mines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'c.pem'));
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 1 / 1024, tls: { key: readFileSync(join(dir, 'k.pem')), cert } });
  assert.match(pool.url, /^stratum\+ssl:/);
  const s = session(pool.url, { tls: { ca: cert } });
  const jobs = lastJob(s);
  s.start();
  const job = await until(jobs.get);
  assert.ok((await s.submit(await mineShare(s, job, 'scrypt-sim', new WorkBuilder(1)))).accepted);
  await s.close(); await pool.close();
});

test('end to end in real scrypt mode: CPU-found share at difficulty 1/65536 verified by the pool', async () => {
  const pool = await startTestPool({ pow: 'scrypt', difficulty: 1 / 65536 });
  const s = session(pool.url);
  const jobs = lastJob(s);
  s.start();
  const job = await until(jobs.get);
  const share = await mineShare(s, job, 'scrypt', new WorkBuilder(1));
  assert.ok((await s.submit(share)).accepted);
  assert.is(pool.stats().accepted, 1);
  await s.close(); await pool.close();
});

test('pool vardiff raises the difficulty when shares come faster than the target rate; the new difficulty applies to the next job', async () => {
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 1 / 1024, vardiffTargetS: 10 });
  const s = session(pool.url);
  const jobs = lastJob(s);
  const diffs: number[] = [];
  s.events.on('difficulty', (d) => diffs.push(d));
  s.start();
  await until(jobs.get);
  const wb = new WorkBuilder(1);
  for (let i = 0; i < 16; i++) assert.ok((await s.submit(await mineShare(s, jobs.get()!, 'scrypt-sim', wb))).accepted);
  await until(() => diffs.length >= 2 && jobs.get()!.difficulty > 1 / 1024 ? true : undefined);
  assert.ok(diffs[diffs.length - 1] > diffs[0]);
  assert.is(jobs.get()!.difficulty, diffs[diffs.length - 1]);
  assert.ok(pool.stats().clients[0].difficulty > 1 / 1024);
  await s.close(); await pool.close();
});

test('client answers client.get_version and client.show_message, survives unknown methods and hostile params', async () => {
  const net = require('node:net') as typeof import('node:net');
  const got: string[] = [];
  const server = net.createServer((c) => {
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      for (const line of d.split('\n').filter(Boolean)) {
        got.push(line);
        const m = JSON.parse(line);
        if (m.method === 'mining.subscribe') c.write(JSON.stringify({ id: m.id, result: [[['mining.notify', 'ab']], '01020304', 4], error: null }) + '\n');
        if (m.method === 'mining.authorize') {
          c.write(JSON.stringify({ id: m.id, result: true, error: null }) + '\n');
          c.write('{"id":9,"method":"client.get_version","params":[]}\n{"id":10,"method":"client.show_message","params":["hello miners"]}\n');
          c.write('{"id":11,"method":"mining.bogus","params":[]}\n{"id":null,"method":"mining.set_difficulty","params":["x"]}\n{"id":null,"method":"mining.set_extranonce","params":[42]}\n{"id":null,"method":"client.reconnect","params":["h",99999]}\n');
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const s = session(`stratum+tcp://127.0.0.1:${port}`);
  const msg = s.events.next('message');
  s.start();
  assert.is(await msg, 'hello miners');
  await until(() => got.some((l) => l.includes('"id":10')) ? true : undefined);
  const v = JSON.parse(got.find((l) => JSON.parse(l).id === 9)!);
  assert.type(v.result, 'string');
  assert.is(JSON.parse(got.find((l) => JSON.parse(l).id === 10)!).result, true);
  await until(() => s.stats.malformed + s.stats.unknownMethods >= 4 ? true : undefined);
  assert.is(s.state, 'ready');
  await s.close();
  await new Promise((r) => server.close(r));
});

test('the password never reaches the log', async () => {
  const lines: string[] = [];
  const l = pino({ level: 'trace' }, { write: (x: string) => { lines.push(x); } });
  const pool = await startTestPool({ pow: 'scrypt-sim' });
  const s = new StratumV1Session({ url: pool.url, user: 'u', password: 'HUNTER2-secret', clock, logger: l, backoffBaseMs: 10 });
  s.start();
  await until(() => s.state === 'ready');
  pool.inject({ kind: 'garbage' }); pool.inject({ kind: 'drop' });
  await until(() => s.state === 'ready' && s.stats.disconnects > 0 ? true : undefined);
  await s.close(); await pool.close();
  assert.ok(lines.length > 0);
  assert.not.ok(lines.join('').includes('HUNTER2'));
});

test.run();
