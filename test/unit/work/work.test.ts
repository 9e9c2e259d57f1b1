import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAlgorithm, sha256d, displayHex, difficultyToTarget, SCRYPT_DIFF1_TARGET } from '../../../src/pow';
import {
  parseNotify, notifyParams, buildCoinbase, merkleRoot, headerFor, setNonce, swapWords,
  Extranonce2Roller, WorkBuilder, ShareChecker, shareTargetFor, rollNtime, NTIME_ROLL_MAX,
  type Job, type WorkItem,
} from '../../../src/work';
import { ProtocolError } from '../../../src/core/errors';

const V = JSON.parse(readFileSync(join(__dirname, '../../vectors/work/notify.json'), 'utf8'));
const scrypt = getAlgorithm('scrypt');

function jobOf(v: { params: unknown[]; extranonce1: string }, difficulty = 1): Job {
  return parseNotify(v.params, { difficulty, extranonce1: Buffer.from(v.extranonce1, 'hex'), extranonce2Size: 4 });
}

for (const name of ['A', 'B'] as const) {
  test(`stratum.md §1.7-${name}: coinbase hash, merkle root, header and scrypt match the reference`, async () => {
    const v = V[name];
    const job = jobOf(v);
    const en2 = Buffer.from(v.extranonce2, 'hex');
    const cb = buildCoinbase(job.coinb1, job.extranonce1, en2, job.coinb2);
    assert.is(sha256d(cb).toString('hex'), v.coinbaseHash);
    assert.is(merkleRoot(sha256d(cb), job.merkleBranch).toString('hex'), v.merkleRoot);
    const h = headerFor(job, en2, job.ntime);
    assert.is(h.toString('hex'), v.header0);
    assert.is(displayHex(await scrypt.hash(h)), v.scrypt0BE);
  });
}

test('§1.7-A: nonce 285147 gives the reference share (diff ≥ 1) and the checker calls it a share with submit fields', async () => {
  const v = V.A;
  const job = jobOf(v);
  const en2 = Buffer.from(v.extranonce2, 'hex');
  const item: WorkItem = { id: 1, jobId: job.jobId, job, chain: 0, extranonce2: en2, ntime: job.ntime, header: headerFor(job, en2, job.ntime), shareTarget: shareTargetFor(1), difficulty: 1 };
  assert.is(displayHex(await scrypt.hash(setNonce(item.header, v.shareNonce))), v.shareScryptBE);
  const c = new ShareChecker(scrypt);
  c.onJob(job);
  const r = await c.check(item, v.shareNonce, SCRYPT_DIFF1_TARGET);
  assert.is(r.kind, 'share');
  if (r.kind !== 'share') return;
  assert.equal([r.share.jobId, r.share.extranonce2, r.share.ntime, r.share.nonce], ['b3ba', '00000002', '53178f9b', '000459db']);
  assert.ok(Math.abs(r.share.hashDifficulty - 1.439165) < 1e-5);
  // resubmitting the same nonce is a duplicate (§1.4 code 22)
  assert.is((await c.check(item, v.shareNonce, SCRYPT_DIFF1_TARGET)).kind, 'duplicate');
  // nonce 0 misses the share target; with a huge ticket target it counts for hashrate only, else invalid
  assert.is((await c.check(item, 0, difficultyToTarget(1e-6, SCRYPT_DIFF1_TARGET))).kind, 'ticket');
  assert.is((await c.check(item, 0, difficultyToTarget(1, SCRYPT_DIFF1_TARGET))).kind, 'invalid');
});

test('pitfall §1.8: share hash compared as a little-endian number, not lexicographic bytes', () => {
  // raw bytes start with 0x00 (lexicographically tiny) but the LE number is huge
  const h = Buffer.alloc(32, 0); h[31] = 0xff;
  assert.ok(h.compare(Buffer.alloc(32, 1)) < 0);
  const { hashMeetsTarget } = require('../../../src/pow');
  assert.not.ok(hashMeetsTarget(h, shareTargetFor(1)));
});

test('pitfall §1.8: fractional and huge difficulties give exact targets (table §1.6)', () => {
  assert.is(shareTargetFor(1).toString(16).padStart(64, '0'), '0000ffff' + '0'.repeat(56));
  assert.is(shareTargetFor(2).toString(16).padStart(64, '0'), '00007fff8' + '0'.repeat(55));
  assert.is(shareTargetFor(65536).toString(16).padStart(64, '0'), '00000000ffff' + '0'.repeat(52));
  assert.ok(shareTargetFor(0.001) > shareTargetFor(1) * 999n);
  assert.throws(() => shareTargetFor(0));
});

test('pitfall §1.8: clean_jobs=false keeps earlier work valid, clean_jobs=true makes it stale', async () => {
  const v = V.A;
  const c = new ShareChecker(scrypt);
  const j1 = jobOf(v);
  const en2 = Buffer.from(v.extranonce2, 'hex');
  const item: WorkItem = { id: 1, jobId: j1.jobId, job: j1, chain: 0, extranonce2: en2, ntime: j1.ntime, header: headerFor(j1, en2, j1.ntime), shareTarget: shareTargetFor(1), difficulty: 1 };
  c.onJob(j1);
  c.onJob({ ...j1, jobId: 'b3bb', cleanJobs: false });
  assert.is((await c.check(item, v.shareNonce, 0n)).kind, 'share');
  c.onJob({ ...j1, jobId: 'b3bc', cleanJobs: true });
  const r = await c.check(item, v.shareNonce + 1, 0n);
  assert.equal(r, { kind: 'stale', reason: 'clean_jobs' });
});

test('a job superseded by more than 8 newer non-clean jobs is stale (superseded); unknown work is stale too', async () => {
  const v = V.A;
  const c = new ShareChecker(scrypt);
  const j1 = jobOf(v);
  const en2 = Buffer.from(v.extranonce2, 'hex');
  const item: WorkItem = { id: 1, jobId: j1.jobId, job: j1, chain: 0, extranonce2: en2, ntime: j1.ntime, header: headerFor(j1, en2, j1.ntime), shareTarget: shareTargetFor(1), difficulty: 1 };
  assert.equal(await c.check(item, 1, 0n), { kind: 'stale', reason: 'unknown_work' });
  c.onJob(j1);
  for (let i = 0; i < 8; i++) c.onJob({ ...j1, jobId: `n${i}`, cleanJobs: false });
  assert.equal(await c.check(item, 1, 0n), { kind: 'stale', reason: 'superseded' });
});

test('pitfall §1.8: set_extranonce with a repeated job id gives different work (extranonce1 is part of the job)', () => {
  const v = V.A;
  const j1 = jobOf(v);
  const j2 = parseNotify(v.params, { difficulty: 1, extranonce1: Buffer.from('01020304', 'hex'), extranonce2Size: 4 });
  const en2 = Buffer.alloc(4);
  assert.is(j1.jobId, j2.jobId);
  assert.not.equal(headerFor(j1, en2, j1.ntime), headerFor(j2, en2, j2.ntime));
});

test('pitfall §1.8: set_difficulty before the first notify applies to it; WorkBuilder uses the job difficulty', () => {
  const wb = new WorkBuilder(2);
  assert.is(wb.next(0, 0), undefined);
  wb.setJob(jobOf(V.A, 0.5), 1000);
  const w = wb.next(1, 1000)!;
  assert.is(w.difficulty, 0.5);
  assert.is(w.shareTarget, shareTargetFor(0.5));
  assert.is(w.header.length, 80);
  assert.is(w.header.readUInt32LE(76), 0);
});

test('extranonce2 spaces of different chains never collide and roll per chain', () => {
  const r = new Extranonce2Roller(3, 4);
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) for (let c = 0; c < 3; c++) {
    const b = r.take(c).toString('hex');
    assert.not.ok(seen.has(b)); seen.add(b);
  }
  const small = new Extranonce2Roller(2, 1);
  for (let i = 0; i < 128; i++) small.take(0);
  assert.throws(() => small.take(0), (e: unknown) => e instanceof ProtocolError && e.code === 'KBS_E_WORK_EXTRANONCE2_EXHAUSTED');
  assert.throws(() => new Extranonce2Roller(1, 0), (e: unknown) => e instanceof ProtocolError);
});

test('ntime rolls with elapsed time and stops at the window cap', () => {
  const j = jobOf(V.A);
  assert.is(rollNtime(j, 100, 100), j.ntime);
  assert.is(rollNtime(j, 100, 130.7), j.ntime + 30);
  assert.is(rollNtime(j, 100, 100 + 10_000), j.ntime + NTIME_ROLL_MAX);
  assert.is(rollNtime(j, 100, 50), j.ntime);
});

test('prevhash word swap is its own inverse and notifyParams round-trips parseNotify', () => {
  const j = jobOf(V.B);
  assert.equal(swapWords(swapWords(j.prevhash)), j.prevhash);
  assert.equal(notifyParams(j), V.B.params);
});

test('parseNotify rejects malformed params with a typed ProtocolError', () => {
  const ctx = { difficulty: 1, extranonce1: Buffer.alloc(4), extranonce2Size: 4 };
  const good = V.A.params;
  const bads: unknown[] = [null, 'x', [], good.slice(0, 8),
    [...good.slice(0, 1), 'zz', ...good.slice(2)],
    [...good.slice(0, 4), 'notarray', ...good.slice(5)],
    [...good.slice(0, 5), '0002', ...good.slice(6)],
    [...good.slice(0, 8), 'true'], [1, ...good.slice(1)]];
  for (const b of bads) assert.throws(() => parseNotify(b, ctx), (e: unknown) => e instanceof ProtocolError, JSON.stringify(b)?.slice(0, 60));
});

test.run();
