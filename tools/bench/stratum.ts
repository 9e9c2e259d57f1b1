/**
 * Stratum bench: (1) host time from "nonce verified" to "share written on the socket"
 * (ShareChecker.classify + StratumV1Session.submit up to socket.write), p50/p99;
 * (2) stale+reject rate over 10 blocks against the test pool, time-scaled: blocks of
 * `blockS` seconds with `sharesPerBlock` shares each (60 shares per 60 s block = 1 share/s).
 */
import pino from 'pino';
import { performance } from 'node:perf_hooks';
import { RealClock } from '../../src/hal/clock';
import { getAlgorithm, scryptSimBase, scryptSimNonce } from '../../src/pow';
import { StratumV1Session } from '../../src/stratum';
import { startTestPool } from '../../src/pool';
import { ShareChecker, WorkBuilder, setNonce, type Job, type WorkItem } from '../../src/work';

export interface StratumBenchResult {
  submitHostUs: { p50: number; p99: number; max: number; samples: number };
  blocks: number; blockSeconds: number; sharesFound: number; accepted: number;
  staleClient: number; rejected: Record<string, number>; staleRejectRate: number;
  targets: { submitP99Us: number; staleRejectRate: number };
}

/** A share nonce for a work item from the scrypt-sim construction (nonce bytes big-endian in the header; returned as the LE u32 mining.submit encodes). */
async function simShare(item: WorkItem, salt: number): Promise<number> {
  const n = scryptSimNonce(await scryptSimBase(item.header), { fixedMask: 0, fixedValue: 0, target: item.shareTarget, salt });
  return Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]).readUInt32LE(0);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

export async function benchStratumRun(o: { smoke: boolean }): Promise<StratumBenchResult> {
  const log = pino({ level: 'silent' });
  const clock = new RealClock();
  const pow = getAlgorithm('scrypt-sim');
  const blockS = o.smoke ? 0.5 : 3;
  const sharesPerBlock = 60;
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 4, blockIntervalS: blockS, jobIntervalS: blockS / 2 });
  const s = new StratumV1Session({ url: pool.url, user: 'bench', password: 'x', clock, logger: log });
  const checker = new ShareChecker(pow);
  const wb = new WorkBuilder(1);
  let job: Job | undefined;
  s.events.on('job', (j) => { job = j; checker.onJob(j); wb.setJob(j, Date.now() / 1000); });
  s.start();
  while (!job || s.state !== 'ready') await new Promise((r) => setTimeout(r, 5));

  // (1) nonce -> share on the socket
  const samples: number[] = [];
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < (o.smoke ? 200 : 2000); i++) {
    const item = wb.next(0, Date.now() / 1000)!;
    const nonce = await simShare(item, i);
    const hash = await pow.hash(setNonce(item.header, nonce));
    const t0 = performance.now();
    const v = checker.classify(item, nonce, hash, 0n);
    if (v.kind === 'share') pending.push(s.submit(v.share));
    samples.push((performance.now() - t0) * 1000);
    if (pending.length >= 50) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  samples.sort((a, b) => a - b);

  // (2) stale + reject rate over 10 blocks
  const before = pool.stats();
  let found = 0, staleClient = 0, accepted = 0;
  const h0 = pool.stats().height;
  const gapMs = (blockS * 1000) / sharesPerBlock;
  const inflight: Promise<void>[] = [];
  let n = 1_000_000;
  while (pool.stats().height < h0 + 10) {
    await new Promise((r) => setTimeout(r, gapMs));
    const item = wb.next(0, Date.now() / 1000);
    if (!item) continue;
    const nonce = await simShare(item, n++);
    const hash = await pow.hash(setNonce(item.header, nonce));
    found++;
    const v = checker.classify(item, nonce, hash, 0n);
    if (v.kind === 'stale') { staleClient++; continue; }
    if (v.kind === 'share') inflight.push(s.submit(v.share).then((r) => { if (r.accepted) accepted++; }));
  }
  await Promise.all(inflight);
  const after = pool.stats();
  const rejected: Record<string, number> = {};
  let rej = 0;
  for (const k of Object.keys(after.rejected) as (keyof typeof after.rejected)[]) { rejected[k] = after.rejected[k] - before.rejected[k]; rej += rejected[k]; }
  await s.close(); await pool.close();
  return {
    submitHostUs: { p50: pct(samples, 0.5), p99: pct(samples, 0.99), max: samples[samples.length - 1], samples: samples.length },
    blocks: 10, blockSeconds: blockS, sharesFound: found, accepted, staleClient, rejected,
    staleRejectRate: found ? (staleClient + rej) / found : 0,
    targets: { submitP99Us: 1000, staleRejectRate: 0.005 },
  };
}

export const benchStratum = async (o: { smoke: boolean }): Promise<{ table: string; result: unknown }> => {
  const r = await benchStratumRun(o);
  const table =
    `nonce -> share on socket (host): p50 ${r.submitHostUs.p50.toFixed(1)} us, p99 ${r.submitHostUs.p99.toFixed(1)} us (target < 1000 us), n=${r.submitHostUs.samples}\n` +
    `stale+reject over ${r.blocks} blocks of ${r.blockSeconds} s (${(r.sharesFound / r.blocks).toFixed(0)} shares/block): ` +
    `${(r.staleRejectRate * 100).toFixed(3)}% (client stale ${r.staleClient}, pool rejects ${JSON.stringify(r.rejected)}; target < 0.5%)\n`;
  return { table, result: r };
};
