import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAlgorithm, SCRYPT_DIFF1_TARGET } from '../../../src/pow';
import { parseNotify, headerFor, setNonce, ShareChecker, shareTargetFor, type Job, type WorkItem } from '../../../src/work';

// stratum.md §1.7-A: nonce 285147 (0x459db) hashes to difficulty 1.439 under job b3ba.
const V = JSON.parse(readFileSync(join(__dirname, '../../vectors/work/notify.json'), 'utf8'));
const scrypt = getAlgorithm('scrypt');

function jobOf(difficulty: number, cleanJobs?: boolean): Job {
  const j = parseNotify(V.A.params, { difficulty, extranonce1: Buffer.from(V.A.extranonce1, 'hex'), extranonce2Size: 4 });
  return cleanJobs === undefined ? j : { ...j, cleanJobs };
}

function itemOf(job: Job): WorkItem {
  const en2 = Buffer.from(V.A.extranonce2, 'hex');
  return { id: 1, jobId: job.jobId, job, chain: 0, extranonce2: en2, ntime: job.ntime, header: headerFor(job, en2, job.ntime), shareTarget: shareTargetFor(job.difficulty), difficulty: job.difficulty };
}

async function verdictAfterRenotify(newDiff: number) {
  const c = new ShareChecker(scrypt);
  const j1 = jobOf(1);
  c.onJob(j1);
  const item = itemOf(j1); // in flight on a chain, built under difficulty 1
  c.onJob(jobOf(newDiff, false)); // vardiff: set_difficulty, then the same job id again
  const hash = await scrypt.hash(setNonce(item.header, V.A.shareNonce));
  return c.classify(item, V.A.shareNonce, hash, SCRYPT_DIFF1_TARGET);
}

test('vardiff re-notifies the same job id at a higher difficulty: an in-flight nonce below it is a ticket, not a certain reject', async () => {
  const r = await verdictAfterRenotify(2);
  assert.is(r.kind, 'ticket');
});

test('vardiff raise the nonce still meets: submitted at the difficulty the pool now judges that job by', async () => {
  const r = await verdictAfterRenotify(1.2);
  assert.is(r.kind, 'share');
  if (r.kind === 'share') assert.is(r.share.difficulty, 1.2);
});

test('vardiff lowers the difficulty: the in-flight work keeps the difficulty it was built under', async () => {
  const r = await verdictAfterRenotify(0.5);
  assert.is(r.kind, 'share');
  if (r.kind === 'share') assert.is(r.share.difficulty, 1);
});

test('without a re-notify the share keeps its own difficulty', async () => {
  const c = new ShareChecker(scrypt);
  const j = jobOf(1);
  c.onJob(j);
  const item = itemOf(j);
  const r = c.classify(item, V.A.shareNonce, await scrypt.hash(setNonce(item.header, V.A.shareNonce)), SCRYPT_DIFF1_TARGET);
  assert.is(r.kind, 'share');
  if (r.kind === 'share') assert.is(r.share.difficulty, 1);
});

test('after clean_jobs a nonce of the old job is stale only when it would have been a share; below the share target it is a ticket', async () => {
  const hash = await scrypt.hash(setNonce(itemOf(jobOf(1)).header, V.A.shareNonce)); // difficulty 1.439
  for (const [shareDiff, want] of [[1, 'stale'], [2, 'ticket']] as const) {
    const c = new ShareChecker(scrypt);
    const j1 = jobOf(shareDiff);
    c.onJob(j1);
    const item = itemOf(j1);
    c.onJob({ ...jobOf(shareDiff, true), jobId: 'next' });
    const r = c.classify(item, V.A.shareNonce, hash, SCRYPT_DIFF1_TARGET);
    assert.is(r.kind, want, `share difficulty ${shareDiff}`);
    if (r.kind === 'stale') assert.is(r.reason, 'clean_jobs');
  }
});

test.run();
