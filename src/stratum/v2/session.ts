/**
 * Stratum V2 client session behind the PoolSession contract: TCP, Noise NX handshake with the
 * pool's certificate checked against the authority key in the URL, then SetupConnection and one
 * standard (header-only) mining channel. Reconnects with the same jittered backoff as V1. A frame
 * that fails authentication ends the connection (the stream cannot be trusted after it); a
 * well-authenticated message with bad fields is counted, logged and ignored.
 */
import * as net from 'node:net';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../hal/types';
import { TypedEmitter } from '../../core/events';
import { isKabosuError } from '../../core/errors';
import type { Share } from '../../work/workItem';
import type { PoolSession, PoolSessionEvents, SessionState, SubmitResult } from '../types';
import { backoffDelay } from '../v1/url';
import { LogLimiter } from '../v1/logLimiter';
import { certificateProblem } from './authority';
import { ChannelJobs, type ChannelUpdate } from './channelJobs';
import { decodeFrame, encodeFrame } from './frame';
import type { Fields, MessageName, Sv2Message } from './messages';
import { ACT2_LEN, NoiseInitiator, type CipherState } from './noise';
import { encryptFrame, FrameDecryptor } from './transport';
import { parseV2Url, type V2Endpoint } from './url';

export interface V2SessionOptions {
  url: string;
  user: string;
  clock: Clock;
  logger: Logger;
  agent?: string;
  /** Sent in OpenStandardMiningChannel and UpdateChannel (H/s); the pool derives the share target from it. */
  nominalHashRate?: number;
  idleTimeoutMs?: number;
  submitTimeoutMs?: number;
  connectTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  /** Follow Reconnect to another host (default: same host only, port may change). */
  allowRedirectHost?: boolean;
  /** Wall-clock seconds for the certificate validity window (default Date.now). */
  nowSec?: () => number;
}

export interface V2SessionStats {
  connects: number; disconnects: number; malformed: number; unknownMessages: number; authorityFailures: number;
  jobs: number; accepted: number; rejected: number; submitTimeouts: number;
}

/** SetupConnection flag for the mining protocol: REQUIRES_STANDARD_JOBS (spec §5.3.1). */
const REQUIRES_STANDARD_JOBS = 1;
const MAX_TARGET = Buffer.alloc(32, 0xff);

/** A STR0_255 value: cut to 255 UTF-8 bytes without splitting a character. */
function str255(v: string): string {
  let out = v;
  while (Buffer.byteLength(out, 'utf8') > 255) out = [...out].slice(0, -1).join('');
  return out;
}

interface Pending { t0: number; timer: TimerHandle; resolve: (r: SubmitResult) => void }

export class StratumV2Session implements PoolSession {
  readonly url: string;
  readonly events = new TypedEmitter<PoolSessionEvents>();
  readonly stats: V2SessionStats = { connects: 0, disconnects: 0, malformed: 0, unknownMessages: 0, authorityFailures: 0, jobs: 0, accepted: 0, rejected: 0, submitTimeouts: 0 };
  /** Why the last connection was refused or lost (an authority mismatch stays here until a good handshake). */
  lastError: string | undefined;
  private endpoint: V2Endpoint;
  private socket: net.Socket | undefined;
  private st: SessionState = 'idle';
  private gen = 0;
  private attempt = 0;
  private closed = false;
  private retryTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  private hs: { noise: NoiseInitiator; buf: Buffer } | undefined;
  private send: CipherState | undefined;
  private recv: FrameDecryptor | undefined;
  private channel: ChannelJobs | undefined;
  private ready = false;
  private seq = 0;
  private pending = new Map<number, Pending>();
  private readonly log: Logger;
  private readonly limiter: LogLimiter;

  constructor(private readonly o: V2SessionOptions) {
    this.endpoint = parseV2Url(o.url);
    this.url = o.url;
    this.log = o.logger;
    this.limiter = new LogLimiter(o.clock);
  }

  get state(): SessionState { return this.st; }
  get channelId(): number | undefined { return this.channel?.channelId; }

  start(): void {
    if (this.closed || this.socket || this.retryTimer) return;
    this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.teardown('closed');
    this.setState('closed');
  }

  submit(share: Share): Promise<SubmitResult> {
    const t0 = this.o.clock.now();
    const ch = this.channel;
    if (this.st !== 'ready' || !ch) return Promise.resolve({ accepted: false, reason: 'not connected', code: null, latencyMs: 0 });
    const job = ch.lookup(share.jobId);
    if (!job) return Promise.resolve({ accepted: false, reason: `job ${share.jobId.slice(0, 32)} is not live on this channel`, code: null, latencyMs: 0 });
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0;
    return new Promise((resolve) => {
      const timer = this.o.clock.setTimeout(() => {
        if (!this.pending.delete(seq)) return;
        this.stats.submitTimeouts++;
        resolve({ accepted: false, reason: 'SubmitSharesStandard timed out', code: null, latencyMs: this.o.clock.now() - t0 });
      }, this.o.submitTimeoutMs ?? 30_000);
      this.pending.set(seq, { t0, timer, resolve });
      this.write('SubmitSharesStandard', {
        channelId: ch.channelId, sequenceNumber: seq, jobId: job.jobId, nonce: parseInt(share.nonce, 16) >>> 0, ntime: parseInt(share.ntime, 16) >>> 0, version: job.version,
      });
    });
  }

  /** Tell the pool our hash rate changed (UpdateChannel, spec §5.3.8). */
  updateNominalHashRate(hashRate: number): void {
    if (this.channel && this.st === 'ready') this.write('UpdateChannel', { channelId: this.channel.channelId, nominalHashRate: hashRate, maximumTarget: MAX_TARGET });
  }

  // ---- connection --------------------------------------------------------------------------

  private connect(): void {
    const gen = ++this.gen;
    const { host, port } = this.endpoint;
    this.setState('connecting');
    this.channel = undefined;
    this.ready = false;
    this.send = undefined;
    this.recv = undefined;
    const sock = net.connect({ host, port });
    this.socket = sock;
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 30_000);
    const connectTimer = this.o.clock.setTimeout(() => { if (gen === this.gen) this.lost('connect timeout'); }, this.o.connectTimeoutMs ?? 15_000);
    sock.once('connect', () => {
      connectTimer.cancel();
      if (gen !== this.gen) return;
      this.stats.connects++;
      this.log.info({ host, port }, 'pool connected (stratum v2), noise handshake');
      this.touch();
      this.setState('subscribing');
      const noise = new NoiseInitiator();
      this.hs = { noise, buf: Buffer.alloc(0) };
      sock.write(noise.act1());
    });
    sock.on('data', (chunk: Buffer) => { if (gen === this.gen) this.onData(chunk); });
    sock.on('error', (err) => { connectTimer.cancel(); if (gen === this.gen) this.lost(`socket error: ${err.message}`); });
    sock.on('close', () => { connectTimer.cancel(); if (gen === this.gen) this.lost('connection closed'); });
  }

  private lost(reason: string): void {
    if (!this.socket) return;
    this.stats.disconnects++;
    this.lastError = reason;
    this.log.warn({ reason }, 'pool connection lost');
    this.teardown(reason);
    if (this.closed) return;
    const delay = backoffDelay(this.attempt++, this.o.backoffBaseMs ?? 1000, this.o.backoffMaxMs ?? 60_000, (this.o.random ?? Math.random)());
    this.setState('backoff', `${reason}; retry in ${delay} ms`);
    this.retryTimer = this.o.clock.setTimeout(() => { this.retryTimer = undefined; if (!this.closed) this.connect(); }, delay);
  }

  private teardown(reason: string): void {
    this.gen++;
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    this.hs = undefined;
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) { p.timer.cancel(); p.resolve({ accepted: false, reason: `disconnected: ${reason}`, code: null, latencyMs: this.o.clock.now() - p.t0 }); }
  }

  private setState(state: SessionState, reason?: string): void {
    if (this.st === state && !reason) return;
    this.st = state;
    this.events.emit('state', reason ? { state, reason } : { state });
  }

  private touch(): void {
    this.idleTimer?.cancel();
    const gen = this.gen;
    this.idleTimer = this.o.clock.setTimeout(() => { if (gen === this.gen) this.lost('read idle timeout'); }, this.o.idleTimeoutMs ?? 150_000);
  }

  // ---- wire --------------------------------------------------------------------------------

  private write<N extends MessageName>(name: N, fields: Fields<N>): void {
    if (!this.send || !this.socket) return;
    this.socket.write(encryptFrame(this.send, encodeFrame(name, fields)));
  }

  private onData(chunk: Buffer): void {
    this.touch();
    const gen = this.gen;
    try {
      if (this.hs) return this.handshakeData(chunk);
      for (const f of this.recv?.push(chunk) ?? []) {
        if (gen !== this.gen) return;
        let d;
        try {
          d = decodeFrame(f.header, f.payload);
        } catch (err) {
          if (!isKabosuError(err)) throw err;
          this.stats.malformed++;
          this.limiter.run('malformed', (n) => this.log.warn({ code: err.code, err: err.message.slice(0, 200), suppressed: n }, 'malformed SV2 message from pool; ignored'));
          continue;
        }
        if (d.kind === 'unknown') {
          this.stats.unknownMessages++;
          this.log.debug({ type: d.header.msgType, ext: d.header.extensionType }, 'unknown SV2 message; ignored');
          continue;
        }
        this.dispatch(d.msg);
      }
    } catch (err) {
      // Decryption failures and oversize frames: the encrypted stream is unusable from here on.
      if (!isKabosuError(err)) throw err;
      this.stats.malformed++;
      this.log.error({ code: err.code, err: err.message }, 'SV2 stream from the pool refused');
      this.lost(`${err.code}: ${err.message}`);
    }
  }

  private handshakeData(chunk: Buffer): void {
    const hs = this.hs!;
    hs.buf = Buffer.concat([hs.buf, chunk]);
    if (hs.buf.length < ACT2_LEN) return;
    const rest = hs.buf.subarray(ACT2_LEN);
    const r = hs.noise.act2(hs.buf.subarray(0, ACT2_LEN));
    this.hs = undefined;
    const why = certificateProblem(r.cert, r.staticX, this.endpoint.authorityKey, (this.o.nowSec ?? (() => Math.floor(Date.now() / 1000)))());
    if (why) {
      this.stats.authorityFailures++;
      this.log.error({ authority: this.endpoint.authorityKeyText, reason: why }, 'pool refused: its certificate does not match the authority key in the pool URL');
      return this.lost(`authority check failed: ${why}`);
    }
    this.send = r.keys.send;
    this.recv = new FrameDecryptor(r.keys.recv);
    this.write('SetupConnection', {
      protocol: 0, minVersion: 2, maxVersion: 2, flags: REQUIRES_STANDARD_JOBS, endpointHost: str255(this.endpoint.host), endpointPort: this.endpoint.port,
      vendor: 'kabosu', hardwareVersion: '', firmware: str255(this.o.agent ?? 'kabosu/0.1'), deviceId: '',
    });
    if (rest.length) this.onData(Buffer.from(rest));
  }

  private dispatch(m: Sv2Message): void {
    switch (m.name) {
      case 'SetupConnectionSuccess':
        this.log.info({ version: m.fields.usedVersion, flags: m.fields.flags }, 'SV2 connection set up');
        this.setState('authorizing');
        this.write('OpenStandardMiningChannel', { requestId: 1, userIdentity: str255(this.o.user), nominalHashRate: this.o.nominalHashRate ?? 0, maxTarget: MAX_TARGET });
        return;
      case 'SetupConnectionError': return this.lost(`SetupConnection refused: ${m.fields.errorCode} (flags ${m.fields.flags})`);
      case 'OpenMiningChannelError': return this.lost(`OpenStandardMiningChannel refused: ${m.fields.errorCode}`);
      case 'OpenStandardMiningChannelSuccess': {
        const ch = new ChannelJobs(m.fields.channelId, m.fields.target, m.fields.extranoncePrefix);
        if (ch.difficulty === undefined) return this.lost('pool opened the channel with a zero target');
        this.channel = ch;
        this.lastError = undefined;
        this.log.info({ channelId: ch.channelId, difficulty: ch.difficulty }, 'SV2 standard channel open');
        this.events.emit('extranonce', { extranonce1: ch.extranoncePrefix, extranonce2Size: 0 });
        this.events.emit('difficulty', ch.difficulty);
        return;
      }
      case 'NewMiningJob': return this.onChannel(m.fields.channelId, (c) => c.newMiningJob(m.fields));
      case 'SetNewPrevHash': return this.onChannel(m.fields.channelId, (c) => c.setNewPrevHash(m.fields));
      case 'SetTarget': return this.onChannel(m.fields.channelId, (c) => {
        const u = c.setTarget(m.fields.maximumTarget);
        if (c.difficulty !== undefined) this.events.emit('difficulty', c.difficulty);
        return u;
      });
      case 'SubmitSharesSuccess': return this.submitted(m.fields.lastSequenceNumber);
      case 'SubmitSharesError': return this.submitError(m.fields.sequenceNumber, m.fields.errorCode);
      case 'Reconnect': return this.reconnect(m.fields.newHost, m.fields.newPort);
      case 'CloseChannel': return this.lost(`pool closed the channel: ${m.fields.reasonCode}`);
      case 'UpdateChannelError': return void this.log.warn({ error: m.fields.errorCode }, 'pool refused UpdateChannel');
      default:
        this.stats.unknownMessages++;
        this.log.debug({ name: m.name }, 'client-bound SV2 message from the pool; ignored');
    }
  }

  private onChannel(channelId: number, f: (c: ChannelJobs) => ChannelUpdate): void {
    const c = this.channel;
    if (!c || c.channelId !== channelId) {
      this.stats.malformed++;
      return void this.log.warn({ channelId }, 'SV2 message for a channel we do not have; ignored');
    }
    const u = f(c);
    if (u.kind === 'ignored') { this.stats.malformed++; return void this.log.warn({ reason: u.reason }, 'SV2 job message ignored'); }
    if (u.kind !== 'job') return;
    this.stats.jobs++;
    if (!this.ready) { this.ready = true; this.setState('ready'); }
    this.attempt = 0;
    this.events.emit('job', u.job);
  }

  private submitted(last: number): void {
    // SubmitShares.Success may acknowledge several shares at once: every pending seq up to `last`.
    for (const [seq, p] of this.pending) {
      if (((last - seq) >>> 0) >= 0x80000000) continue;
      this.pending.delete(seq);
      p.timer.cancel();
      this.stats.accepted++;
      p.resolve({ accepted: true, latencyMs: this.o.clock.now() - p.t0 });
    }
  }

  private submitError(seq: number, code: string): void {
    const p = this.pending.get(seq);
    if (!p) return void this.log.debug({ seq }, 'SubmitShares.Error for no pending share');
    this.pending.delete(seq);
    p.timer.cancel();
    this.stats.rejected++;
    p.resolve({ accepted: false, reason: code, code: null, latencyMs: this.o.clock.now() - p.t0 });
  }

  private reconnect(newHost: string, newPort: number): void {
    const host = newHost === '' ? this.endpoint.host : newHost;
    const port = newPort === 0 ? this.endpoint.port : newPort;
    if (host !== this.endpoint.host && !this.o.allowRedirectHost) {
      return void this.log.warn({ host: host.slice(0, 100), port }, 'pool asked to reconnect to another host; refused (allowRedirect is off)');
    }
    this.log.info({ host, port }, 'pool asked us to reconnect (same authority key required)');
    this.endpoint = { ...this.endpoint, host, port };
    this.teardown('Reconnect');
    this.setState('backoff', 'Reconnect');
    this.retryTimer?.cancel();
    this.retryTimer = this.o.clock.setTimeout(() => { this.retryTimer = undefined; if (!this.closed) this.connect(); }, 0);
  }
}
