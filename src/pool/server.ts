/**
 * Stratum V1 test pool: synthetic chain, jobs on a timer, clean_jobs on a new block, vardiff,
 * share verification with src/pow, accounting by reject reason, run-time fault injection.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import pino, { type Logger } from 'pino';
import { getAlgorithm } from '../pow';
import type { PowName } from '../pow/types';
import { hashToBigInt, hashDifficulty, SCRYPT_DIFF1_TARGET, difficultyToTarget } from '../pow/targets';
import { RealClock } from '../hal/clock';
import type { Clock, TimerHandle } from '../hal/types';
import { LineFramer } from '../stratum/v1/framing';
import { parseMessage } from '../stratum/v1/messages';
import { headerFor, setNonce } from '../work/build';
import { notifyParams, type Job } from '../work/job';
import { SyntheticChain, type PoolJob } from './chain';

export interface TestPoolOptions {
  port?: number;
  host?: string;
  pow?: Extract<PowName, 'scrypt' | 'scrypt-sim'>;
  blockIntervalS?: number;
  jobIntervalS?: number;
  difficulty?: number;
  /** Vardiff: target seconds between shares per connection; 0 disables vardiff. */
  vardiffTargetS?: number;
  vardiffMin?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  clock?: Clock;
  log?: Logger;
  /** Real seconds for ntime (defaults to wall clock). */
  nowSec?: () => number;
}

export type RejectReason = 'stale' | 'duplicate' | 'lowDifficulty' | 'badNonce' | 'unknownJob' | 'malformed' | 'unauthorized';
export type Fault =
  | { kind: 'drop' }
  | { kind: 'stall'; ms: number }
  | { kind: 'garbage'; lines?: number }
  | { kind: 'reconnect'; host?: string | null; port?: number | null }
  | { kind: 'set_extranonce' }
  | { kind: 'newBlock' };

export interface PoolStats {
  url: string; height: number; connections: number; jobs: number; blocks: number;
  accepted: number; acceptedDifficulty: number; rejected: Record<RejectReason, number>; malformedLines: number;
  clients: { extranonce1: string; difficulty: number; accepted: number; rejected: number; user: string | null; subscribeParams: unknown[] }[];
}

export interface TestPool {
  url: string; port: number;
  stats(): PoolStats;
  inject(fault: Fault): void;
  close(): Promise<void>;
}

interface JobRecord { job: PoolJob; stale: boolean }

class Client {
  subscribed = false;
  subscribeParams: unknown[] = [];
  user: string | null = null;
  difficulty: number;
  jobDiff = new Map<string, number>();
  seen = new Set<string>();
  accepted = 0; rejected = 0;
  sharesSinceRetarget = 0; retargetAt: number;
  framer = new LineFramer();
  constructor(readonly sock: net.Socket, public extranonce1: Buffer, diff: number, now: number) {
    this.difficulty = diff; this.retargetAt = now;
  }
}

export async function startTestPool(o: TestPoolOptions = {}): Promise<TestPool> {
  const clock = o.clock ?? new RealClock();
  const log = o.log ?? pino({ level: 'silent' });
  const alg = getAlgorithm(o.pow ?? 'scrypt-sim');
  const nowSec = o.nowSec ?? (() => Math.floor(Date.now() / 1000));
  const chain = new SyntheticChain();
  const jobs = new Map<string, JobRecord>();
  const clients = new Set<Client>();
  const rejected: Record<RejectReason, number> = { stale: 0, duplicate: 0, lowDifficulty: 0, badNonce: 0, unknownJob: 0, malformed: 0, unauthorized: 0 };
  let accepted = 0, acceptedDifficulty = 0, malformedLines = 0, blocks = 0, jobCount = 0, e1Seq = 0;
  let stalledUntil = 0;
  let current: PoolJob;
  const timers: TimerHandle[] = [];

  const send = (c: Client, obj: unknown) => { if (clock.now() >= stalledUntil && !c.sock.destroyed) c.sock.write(JSON.stringify(obj) + '\n'); };
  const newE1 = () => { const b = Buffer.alloc(4); b.writeUInt32BE((0x1000 + ++e1Seq) >>> 0); return b; };

  /**
   * A job id is judged, per connection, at the difficulty in force when it was first sent there:
   * miners build work when a job id is new and keep it (cpuminer, ASIC firmwares), so a later
   * set_difficulty must never re-price work already handed out.
   */
  function notify(c: Client, j: PoolJob): void {
    if (!c.jobDiff.has(j.jobId)) c.jobDiff.set(j.jobId, c.difficulty);
    if (c.jobDiff.size > 64) c.jobDiff.delete(c.jobDiff.keys().next().value as string);
    send(c, { id: null, method: 'mining.notify', params: notifyParams(j) });
  }
  function register(j: PoolJob): PoolJob {
    jobs.set(j.jobId, { job: j, stale: false });
    // Retargets add jobs per connection: keep enough that a busy pool never forgets live work.
    if (jobs.size > 4096) jobs.delete(jobs.keys().next().value as string);
    jobCount++;
    return j;
  }
  function newJob(clean: boolean): void {
    if (clean) { for (const r of jobs.values()) r.stale = true; for (const c of clients) c.seen.clear(); }
    current = register(chain.job(nowSec(), clean, clock.now()));
    for (const c of clients) if (c.subscribed && c.user) notify(c, current);
  }
  /**
   * A new difficulty for one connection: set_difficulty, then work under a new job id (same block,
   * not clean: shares of the earlier jobs stay valid at their own difficulty).
   */
  function retarget(c: Client, difficulty: number): void {
    c.difficulty = difficulty;
    if (!c.subscribed || !c.user) return; // sent with the first job after authorize
    send(c, { id: null, method: 'mining.set_difficulty', params: [c.difficulty] });
    notify(c, register(chain.job(nowSec(), false, clock.now())));
  }
  chain.newBlock();
  newJob(true);
  timers.push(clock.setInterval(() => { chain.newBlock(); blocks++; newJob(true); }, (o.blockIntervalS ?? 60) * 1000));
  timers.push(clock.setInterval(() => newJob(false), (o.jobIntervalS ?? 30) * 1000));

  function vardiff(c: Client): void {
    const tgt = o.vardiffTargetS ?? 0;
    if (!tgt) return;
    const elapsed = (clock.now() - c.retargetAt) / 1000;
    if (elapsed < tgt * 4 && c.sharesSinceRetarget < 16) return;
    const rate = c.sharesSinceRetarget / Math.max(elapsed, 1e-3);
    let factor = (rate * tgt) || 0.5;
    factor = Math.min(4, Math.max(0.25, factor));
    c.retargetAt = clock.now(); c.sharesSinceRetarget = 0;
    if (factor > 0.8 && factor < 1.25) return;
    retarget(c, Math.max(o.vardiffMin ?? 1 / 65536, c.difficulty * factor));
  }

  function reject(c: Client, id: unknown, reason: RejectReason, code: number, msg: string): void {
    rejected[reason]++; c.rejected++;
    send(c, { id, result: null, error: [code, msg, null] });
  }

  async function onSubmit(c: Client, id: unknown, p: unknown[]): Promise<void> {
    if (!c.subscribed) return reject(c, id, 'unauthorized', 25, 'not subscribed');
    if (!c.user) return reject(c, id, 'unauthorized', 24, 'unauthorized worker');
    const [, jobId, en2, ntime, nonce] = p;
    if (typeof jobId !== 'string' || typeof en2 !== 'string' || typeof ntime !== 'string' || typeof nonce !== 'string') return reject(c, id, 'malformed', 20, 'malformed submit');
    const rec = jobs.get(jobId);
    const diff = c.jobDiff.get(jobId);
    if (!rec || diff === undefined) return reject(c, id, 'unknownJob', 21, 'job not found');
    if (rec.stale) return reject(c, id, 'stale', 21, 'job not found (stale)');
    if (!/^[0-9a-fA-F]{8}$/.test(en2)) return reject(c, id, 'malformed', 20, 'incorrect size of extranonce2');
    if (!/^[0-9a-fA-F]{8}$/.test(ntime)) return reject(c, id, 'malformed', 20, 'incorrect size of ntime');
    const nt = parseInt(ntime, 16);
    if (nt < rec.job.ntime || nt > nowSec() + 7200) return reject(c, id, 'malformed', 20, 'ntime out of range');
    if (!/^[0-9a-fA-F]{8}$/.test(nonce)) return reject(c, id, 'badNonce', 20, 'incorrect size of nonce');
    const key = `${jobId}/${en2}/${ntime}/${nonce}`.toLowerCase();
    if (c.seen.has(key)) return reject(c, id, 'duplicate', 22, 'duplicate share');
    c.seen.add(key);
    const job: Job = { ...rec.job, difficulty: diff, extranonce1: c.extranonce1, extranonce2Size: 4 };
    const header = setNonce(headerFor(job, Buffer.from(en2, 'hex'), nt), parseInt(nonce, 16));
    const hash = await alg.hash(header);
    // The reject names the share's own difficulty (NOMP: "low difficulty share of <shareDiff>").
    if (hashToBigInt(hash) > difficultyToTarget(diff, SCRYPT_DIFF1_TARGET)) return reject(c, id, 'lowDifficulty', 23, `low difficulty share of ${+hashDifficulty(hash, SCRYPT_DIFF1_TARGET).toPrecision(6)} (job ${jobId} needs ${diff})`);
    accepted++; acceptedDifficulty += diff; c.accepted++; c.sharesSinceRetarget++;
    send(c, { id, result: true, error: null });
    vardiff(c);
  }

  function onLine(c: Client, line: string): void {
    const m = parseMessage(line);
    if (!m.ok || m.msg.kind !== 'request') { malformedLines++; return; }
    const { id, method, params } = m.msg;
    switch (method) {
      case 'mining.subscribe':
        c.subscribed = true;
        c.subscribeParams = params.slice(0, 4).map((x) => (typeof x === 'string' ? x.slice(0, 128) : x));
        send(c, { id, result: [[['mining.set_difficulty', c.extranonce1.toString('hex')], ['mining.notify', c.extranonce1.toString('hex')]], c.extranonce1.toString('hex'), 4], error: null });
        return;
      case 'mining.extranonce.subscribe': send(c, { id, result: true, error: null }); return;
      case 'mining.authorize':
        if (!c.subscribed) { send(c, { id, result: null, error: [25, 'not subscribed', null] }); return; }
        c.user = typeof params[0] === 'string' ? params[0].slice(0, 128) : 'anonymous';
        send(c, { id, result: true, error: null });
        send(c, { id: null, method: 'mining.set_difficulty', params: [c.difficulty] });
        notify(c, { ...current, cleanJobs: true });
        return;
      case 'mining.suggest_difficulty':
        if (typeof params[0] === 'number' && params[0] > 0 && Number.isFinite(params[0]) && params[0] !== c.difficulty) retarget(c, params[0]);
        return; // no reply, like NOMP
      case 'mining.submit': void onSubmit(c, id, params).catch((err) => log.error({ err }, 'submit handler')); return;
      default: malformedLines++; // unknown method: silence (NOMP family)
    }
  }

  const onConn = (sock: net.Socket) => {
    const c = new Client(sock, newE1(), o.difficulty ?? 1, clock.now());
    clients.add(c);
    sock.setEncoding('utf8');
    sock.setNoDelay(true);
    sock.on('data', (d: string) => {
      for (const ev of c.framer.push(d)) {
        if (ev.kind === 'overflow') { malformedLines++; continue; }
        try { onLine(c, ev.line); } catch (err) { malformedLines++; log.warn({ err }, 'pool line handler'); }
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => clients.delete(c));
  };
  const server = o.tls ? tls.createServer({ key: o.tls.key, cert: o.tls.cert }, onConn) : net.createServer(onConn);
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => res()); });
  const addr = server.address() as net.AddressInfo;
  const host = o.host ?? '127.0.0.1';
  const url = `stratum+${o.tls ? 'ssl' : 'tcp'}://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;

  return {
    url, port: addr.port,
    stats: () => ({
      url, height: chain.height, connections: clients.size, jobs: jobCount, blocks, accepted, acceptedDifficulty,
      rejected: { ...rejected }, malformedLines,
      clients: [...clients].map((c) => ({ extranonce1: c.extranonce1.toString('hex'), difficulty: c.difficulty, accepted: c.accepted, rejected: c.rejected, user: c.user, subscribeParams: c.subscribeParams })),
    }),
    inject(f: Fault): void {
      switch (f.kind) {
        case 'drop': for (const c of clients) c.sock.destroy(); return;
        case 'stall': stalledUntil = clock.now() + f.ms; return;
        case 'garbage': for (const c of clients) for (let i = 0; i < (f.lines ?? 3); i++) c.sock.write(['{"id":', 'garbage!', '[1,2,3]', '{"id":null,"method":"mining.notify","params":[1]}', '\u0000\u00ff'][i % 5] + '\n'); return;
        case 'reconnect': for (const c of clients) send(c, { id: null, method: 'client.reconnect', params: [f.host ?? null, f.port ?? null, 0] }); return;
        case 'set_extranonce': for (const c of clients) { c.extranonce1 = newE1(); send(c, { id: null, method: 'mining.set_extranonce', params: [c.extranonce1.toString('hex'), 4] }); notify(c, { ...current, cleanJobs: true }); } return;
        case 'newBlock': chain.newBlock(); blocks++; newJob(true); return;
      }
    },
    async close(): Promise<void> {
      for (const t of timers) t.cancel();
      for (const c of clients) c.sock.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
