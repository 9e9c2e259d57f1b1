/**
 * Stratum V2 test pool: the same synthetic chain as the V1 pool, spoken over Noise NX with an
 * authority certificate, one standard channel per SetupConnection, header-only jobs (the pool
 * folds the coinbase with the channel's extranonce prefix into the merkle root), shares judged
 * with src/pow (real scrypt with pow 'scrypt'). Faults for tests: drop, tamper (one frame with a
 * flipped ciphertext bit), garbage (an authenticated frame whose payload is nonsense), stall,
 * reconnect, newBlock, setTarget.
 */
import * as net from 'node:net';
import { schnorr } from '@noble/curves/secp256k1.js';
import pino from 'pino';
import { getAlgorithm } from '../pow';
import { sha256d } from '../pow/sha256d';
import { hashToBigInt, SCRYPT_DIFF1_TARGET, difficultyToTarget } from '../pow/targets';
import { RealClock } from '../hal/clock';
import type { Clock, TimerHandle } from '../hal/types';
import { buildHeader, merkleRoot } from '../work/build';
import { encodeAuthorityKey, signCertificate } from '../stratum/v2/authority';
import { ellswiftCreate, ellswiftDecode, type EllswiftKey } from '../stratum/v2/ellswift';
import { decodeFrame, encodeFrame, encodeHeader } from '../stratum/v2/frame';
import type { Fields, MessageName, Sv2Message } from '../stratum/v2/messages';
import { ACT1_LEN, NoiseResponder, type CipherState } from '../stratum/v2/noise';
import { encryptFrame, FrameDecryptor } from '../stratum/v2/transport';
import { u256Le } from '../stratum/v2/channelJobs';
import { SyntheticChain, type PoolJob } from './chain';
import type { RejectReason, TestPoolOptions } from './server';

/**
 * The development authority key pair of `npm start`: SRI's example pool config keys
 * (stratum.md §3.5), public test keys, never a secret; a real pool must generate its own.
 */
export const DEV_AUTHORITY_SECRET_HEX = '65995eb19631f478a46ffa5cf1e545091efe950eaeac7482ffdc06eb6a89f697';
export const DEV_AUTHORITY_KEY = '9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72';

export interface V2TestPoolOptions extends Omit<TestPoolOptions, 'tls' | 'vardiffTargetS' | 'vardiffMin'> {
  /** 32-byte authority secret (hex or bytes); generated when absent. */
  authoritySecret?: string | Uint8Array;
  /** Certificate validity: seconds from now (default 3600), or absolute times for tests. */
  certValidityS?: number;
  certValidFrom?: number;
  certNotValidAfter?: number;
}

export type V2Fault =
  | { kind: 'drop' } | { kind: 'stall'; ms: number } | { kind: 'tamper' } | { kind: 'garbage' }
  | { kind: 'reconnect'; host?: string; port?: number } | { kind: 'newBlock' } | { kind: 'setTarget'; difficulty: number };

export interface V2PoolStats {
  url: string; authorityKey: string; height: number; connections: number; channels: number; jobs: number; blocks: number;
  accepted: number; acceptedDifficulty: number; rejected: Record<RejectReason, number>; malformedFrames: number; handshakes: number;
}

export interface V2TestPool {
  url: string; port: number; authorityKey: string; authoritySecretHex: string;
  stats(): V2PoolStats;
  inject(f: V2Fault): void;
  close(): Promise<void>;
}

interface ChanJob { job: PoolJob; root: Buffer; difficulty: number; stale: boolean }

class Conn {
  send: CipherState | undefined;
  recv: FrameDecryptor | undefined;
  hsBuf = Buffer.alloc(0);
  setup = false;
  channelId: number | undefined;
  prefix = Buffer.alloc(4);
  difficulty: number;
  nextJobId = 1;
  jobs = new Map<number, ChanJob>();
  seen = new Set<string>();
  constructor(readonly sock: net.Socket, diff: number) { this.difficulty = diff; }
}

const EN2 = Buffer.alloc(4); // the pool's fixed extranonce for header-only channels

export async function startV2TestPool(o: V2TestPoolOptions = {}): Promise<V2TestPool> {
  const clock: Clock = o.clock ?? new RealClock();
  const log = o.log ?? pino({ level: 'silent' });
  const alg = getAlgorithm(o.pow ?? 'scrypt-sim');
  const nowSec = o.nowSec ?? (() => Math.floor(Date.now() / 1000));
  const secret = o.authoritySecret === undefined ? schnorr.utils.randomSecretKey()
    : typeof o.authoritySecret === 'string' ? Buffer.from(o.authoritySecret, 'hex') : o.authoritySecret;
  const authorityKey = encodeAuthorityKey(schnorr.getPublicKey(secret));
  const staticKey: EllswiftKey = ellswiftCreate(undefined, true);
  const staticX = ellswiftDecode(staticKey.pub);
  const chain = new SyntheticChain();
  const conns = new Set<Conn>();
  const rejected: Record<RejectReason, number> = { stale: 0, duplicate: 0, lowDifficulty: 0, badNonce: 0, unknownJob: 0, malformed: 0, unauthorized: 0 };
  let accepted = 0, acceptedDifficulty = 0, malformedFrames = 0, blocks = 0, jobCount = 0, channelSeq = 0, handshakes = 0, stalledUntil = 0;
  let current: PoolJob;
  const timers: TimerHandle[] = [];

  // One signature serves every handshake until half its validity is gone (signing costs ms).
  let cert: { bytes: Buffer; renewAt: number } | undefined;
  const certificate = (): Buffer => {
    const now = nowSec();
    if (cert && now < cert.renewAt) return cert.bytes;
    const validity = o.certValidityS ?? 3600;
    const bytes = signCertificate(secret, staticX, o.certValidFrom ?? now, o.certNotValidAfter ?? now + validity);
    cert = { bytes, renewAt: o.certValidFrom !== undefined || o.certNotValidAfter !== undefined ? Infinity : now + Math.floor(validity / 2) };
    return bytes;
  };
  const write = <N extends MessageName>(c: Conn, name: N, fields: Fields<N>): void => {
    if (!c.send || c.sock.destroyed || clock.now() < stalledUntil) return;
    c.sock.write(encryptFrame(c.send, encodeFrame(name, fields)));
  };

  /** A job on one channel: future + SetNewPrevHash on a new block, else active at once. */
  function sendJob(c: Conn, j: PoolJob, clean: boolean): void {
    if (c.channelId === undefined) return;
    const id = c.nextJobId++ >>> 0;
    if (clean) { for (const r of c.jobs.values()) r.stale = true; c.seen.clear(); }
    const root = merkleRoot(sha256d(Buffer.concat([j.coinb1, c.prefix, EN2, j.coinb2])), j.merkleBranch);
    c.jobs.set(id, { job: j, root, difficulty: c.difficulty, stale: false });
    if (c.jobs.size > 64) c.jobs.delete(c.jobs.keys().next().value as number);
    jobCount++;
    const headerPrev = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 4) headerPrev.writeUInt32LE(j.prevhash.readUInt32BE(i), i);
    if (clean) {
      write(c, 'NewMiningJob', { channelId: c.channelId, jobId: id, minNtime: null, version: j.version, merkleRoot: root });
      write(c, 'SetNewPrevHash', { channelId: c.channelId, jobId: id, prevHash: headerPrev, minNtime: j.ntime, nbits: j.nbits });
    } else {
      write(c, 'NewMiningJob', { channelId: c.channelId, jobId: id, minNtime: j.ntime, version: j.version, merkleRoot: root });
    }
  }
  function newJob(clean: boolean): void {
    current = chain.job(nowSec(), clean, clock.now());
    for (const c of conns) sendJob(c, current, clean);
  }
  chain.newBlock();
  current = chain.job(nowSec(), true, clock.now());
  timers.push(clock.setInterval(() => { chain.newBlock(); blocks++; newJob(true); }, (o.blockIntervalS ?? 60) * 1000));
  timers.push(clock.setInterval(() => newJob(false), (o.jobIntervalS ?? 30) * 1000));

  function reject(c: Conn, seq: number, reason: RejectReason, code: string): void {
    rejected[reason]++;
    write(c, 'SubmitSharesError', { channelId: c.channelId ?? 0, sequenceNumber: seq, errorCode: code });
  }

  async function onSubmit(c: Conn, s: Fields<'SubmitSharesStandard'>): Promise<void> {
    if (c.channelId === undefined || s.channelId !== c.channelId) return reject(c, s.sequenceNumber, 'unauthorized', 'invalid-channel-id');
    const rec = c.jobs.get(s.jobId);
    if (!rec) return reject(c, s.sequenceNumber, 'unknownJob', 'invalid-job-id');
    if (rec.stale) return reject(c, s.sequenceNumber, 'stale', 'stale-share');
    if (s.version !== rec.job.version) return reject(c, s.sequenceNumber, 'malformed', 'version-rolling-not-allowed');
    if (s.ntime < rec.job.ntime || s.ntime > nowSec() + 7200) return reject(c, s.sequenceNumber, 'malformed', 'invalid-share');
    const key = `${s.jobId}/${s.ntime}/${s.nonce}`;
    if (c.seen.has(key)) return reject(c, s.sequenceNumber, 'duplicate', 'duplicate-share');
    c.seen.add(key);
    const header = buildHeader(rec.job, rec.root, s.ntime, s.nonce);
    const hash = await alg.hash(header);
    if (hashToBigInt(hash) > difficultyToTarget(rec.difficulty, SCRYPT_DIFF1_TARGET)) return reject(c, s.sequenceNumber, 'lowDifficulty', 'difficulty-too-low');
    accepted++; acceptedDifficulty += rec.difficulty;
    write(c, 'SubmitSharesSuccess', { channelId: c.channelId, lastSequenceNumber: s.sequenceNumber, newSubmitsAcceptedCount: 1, newSharesSum: BigInt(Math.max(1, Math.round(rec.difficulty))) });
  }

  function onMessage(c: Conn, m: Sv2Message): void {
    switch (m.name) {
      case 'SetupConnection': {
        const f = m.fields;
        if (f.protocol !== 0 || f.minVersion > 2 || f.maxVersion < 2) return write(c, 'SetupConnectionError', { flags: 0, errorCode: 'unsupported-protocol' });
        c.setup = true;
        return write(c, 'SetupConnectionSuccess', { usedVersion: 2, flags: 0 });
      }
      case 'OpenStandardMiningChannel': {
        if (!c.setup) { malformedFrames++; return; }
        if (m.fields.userIdentity === '') return write(c, 'OpenMiningChannelError', { requestId: m.fields.requestId, errorCode: 'invalid-user-identity' });
        c.channelId = ++channelSeq;
        c.prefix.writeUInt32BE(0x1000 + c.channelId);
        write(c, 'OpenStandardMiningChannelSuccess', { requestId: m.fields.requestId, channelId: c.channelId, target: u256Le(difficultyToTarget(c.difficulty, SCRYPT_DIFF1_TARGET)), extranoncePrefix: Buffer.from(c.prefix), groupChannelId: 0 });
        return sendJob(c, current, true);
      }
      case 'SubmitSharesStandard': void onSubmit(c, m.fields).catch((err) => log.error({ err }, 'v2 submit handler')); return;
      case 'UpdateChannel': return; // the test pool keeps its configured difficulty
      default: malformedFrames++;
    }
  }

  function onData(c: Conn, d: Buffer): void {
    if (!c.recv) {
      c.hsBuf = Buffer.concat([c.hsBuf, d]);
      if (c.hsBuf.length < ACT1_LEN) return;
      const { reply, keys } = new NoiseResponder(staticKey).respond(c.hsBuf.subarray(0, ACT1_LEN), certificate());
      handshakes++;
      c.sock.write(reply);
      c.send = keys.send;
      c.recv = new FrameDecryptor(keys.recv);
      d = c.hsBuf.subarray(ACT1_LEN);
      if (!d.length) return;
    }
    for (const f of c.recv.push(d)) {
      const r = decodeFrame(f.header, f.payload);
      if (r.kind === 'unknown') { malformedFrames++; continue; }
      onMessage(c, r.msg);
    }
  }

  const server = net.createServer((sock) => {
    const c = new Conn(sock, o.difficulty ?? 1);
    conns.add(c);
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => {
      try { onData(c, d); } catch (err) { malformedFrames++; log.warn({ err: (err as Error).message }, 'v2 pool: bad client stream; dropped'); sock.destroy(); }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => conns.delete(c));
  });
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => res()); });
  const port = (server.address() as net.AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  const url = `stratum2+tcp://${host.includes(':') ? `[${host}]` : host}:${port}/${authorityKey}`;

  return {
    url, port, authorityKey, authoritySecretHex: Buffer.from(secret).toString('hex'),
    stats: () => ({
      url, authorityKey, height: chain.height, connections: conns.size, channels: [...conns].filter((c) => c.channelId !== undefined).length,
      jobs: jobCount, blocks, accepted, acceptedDifficulty, rejected: { ...rejected }, malformedFrames, handshakes,
    }),
    inject(f: V2Fault): void {
      switch (f.kind) {
        case 'drop': for (const c of conns) c.sock.destroy(); return;
        case 'stall': stalledUntil = clock.now() + f.ms; return;
        case 'tamper':
          for (const c of conns) {
            if (!c.send || c.channelId === undefined) continue;
            const b = encryptFrame(c.send, encodeFrame('SetTarget', { channelId: c.channelId, maximumTarget: Buffer.alloc(32, 0xff) }));
            b[b.length - 20] ^= 0x01; // a payload ciphertext bit: the tag no longer matches
            c.sock.write(b);
          }
          return;
        case 'garbage':
          // Authenticated, well-framed, but a NewMiningJob payload of 3 bytes.
          for (const c of conns) if (c.send) c.sock.write(encryptFrame(c.send, Buffer.concat([encodeHeader({ extensionType: 0x8000, msgType: 0x15, msgLength: 3 }), Buffer.from([1, 2, 3])])));
          return;
        case 'reconnect': for (const c of conns) write(c, 'Reconnect', { newHost: f.host ?? '', newPort: f.port ?? 0 }); return;
        case 'newBlock': chain.newBlock(); blocks++; newJob(true); return;
        case 'setTarget':
          for (const c of conns) {
            c.difficulty = f.difficulty;
            if (c.channelId !== undefined) write(c, 'SetTarget', { channelId: c.channelId, maximumTarget: u256Le(difficultyToTarget(f.difficulty, SCRYPT_DIFF1_TARGET)) });
            for (const r of c.jobs.values()) r.difficulty = f.difficulty; // SetTarget applies at once (spec §5.3.18)
          }
          return;
      }
    },
    async close(): Promise<void> {
      for (const t of timers) t.cancel();
      for (const c of conns) c.sock.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
