/**
 * Stratum V1 client session behind the PoolSession contract. One TCP/TLS connection at a time;
 * reconnects with jittered exponential backoff on the injected Clock. Hostile or malformed input
 * is logged, counted and survived. The password is never logged.
 */
import type * as net from 'node:net';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../hal/types';
import { TypedEmitter } from '../../core/events';
import { isKabosuError } from '../../core/errors';
import type { Job } from '../../work/job';
import type { Share } from '../../work/workItem';
import type { PoolSession, PoolSessionEvents, SessionState, SubmitResult } from '../types';
import { LineFramer } from './framing';
import { parseMessage, type RpcId, type RpcMessage } from './messages';
import { backoffDelay, parsePoolUrl, type PoolEndpoint } from './url';
import {
  authorizeOutcome, configureOutcome, configureParams, extranonceSubscribeOutcome, serverHandler, submitOutcome, submitParams,
  subscribeOutcome, subscribeParams, suggestDifficultyParams, type HandlerContext, type HandlerEffect,
} from './handlers';
import { LogLimiter } from './logLimiter';
import { isInsecure, openSocket, pinMismatch, type SessionTlsOptions } from './transport';

export { parseSubscribeResult } from './handlers';

export interface V1SessionOptions {
  url: string;
  user: string;
  password: string;
  clock: Clock;
  logger: Logger;
  agent?: string;
  /** Sent after authorize when set. */
  suggestDifficulty?: number;
  /** Sent as mining.configure `minimum-difficulty` before subscribe when set (BIP310). */
  minimumDifficulty?: number;
  /** Send mining.extranonce.subscribe (default true). */
  extranonceSubscribe?: boolean;
  /** Read-idle timeout; no bytes for this long -> reconnect (default 150 s: 5 missed job intervals). */
  idleTimeoutMs?: number;
  submitTimeoutMs?: number;
  connectTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  /** TLS trust (stratum+ssl): an extra CA, a pinned certificate fingerprint, or insecure (transport.ts). */
  tls?: SessionTlsOptions;
  /** Follow client.reconnect to another host (default: same host only, port may change). */
  allowRedirectHost?: boolean;
}

export interface V1SessionStats {
  connects: number; disconnects: number; malformed: number; overflows: number; unknownMethods: number;
  /** Server requests whose params a handler refused (also counted in `malformed`). */
  badParams: number;
  /** set_difficulty values refused as unusable (0, negative, non-numbers, above MAX_POOL_DIFFICULTY); also in badParams. */
  badDifficulty: number;
  /** set_difficulty values below MIN_POOL_DIFFICULTY, clamped up to it. */
  clampedDifficulty: number;
  /** Jobs not mined because the pool's difficulty was unusable (each one drops the connection). */
  unusableJobs: number;
  jobs: number; accepted: number; rejected: number; submitTimeouts: number;
}

type Response = RpcMessage & { kind: 'response' };
/** `onReply` runs synchronously inside dispatch(), before the next line of the same read is parsed. */
interface Pending { method: string; sentAt: number; timer?: TimerHandle; onReply: (m: Response) => void }

export class StratumV1Session implements PoolSession {
  readonly url: string;
  readonly events = new TypedEmitter<PoolSessionEvents>();
  readonly stats: V1SessionStats = { connects: 0, disconnects: 0, malformed: 0, overflows: 0, unknownMethods: 0, badParams: 0, badDifficulty: 0, clampedDifficulty: 0, unusableJobs: 0, jobs: 0, accepted: 0, rejected: 0, submitTimeouts: 0 };
  private endpoint: PoolEndpoint;
  private socket: net.Socket | undefined;
  private framer = new LineFramer();
  private st: SessionState = 'idle';
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private idleTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private attempt = 0;
  private closed = false;
  private gen = 0;
  /** Subscription id of the last session (sent again on reconnect to resume). */
  sessionId: string | undefined;
  extranonce1: Buffer = Buffer.alloc(0);
  extranonce2Size = 4;
  /** set_difficulty value that the next mining.notify takes (default 1, reset on every connect). */
  nextDifficulty = 1;
  /** Why the last set_difficulty was refused, until a usable one arrives. */
  unusableDifficulty: string | undefined;
  /** The latest job of this connection (cleared on connect: a job never outlives its extranonce1). */
  lastJob: Job | undefined;
  /** The pool closed the socket or failed the handshake right after mining.configure: not sent again. */
  private configureOff = false;
  private configureSent = false;
  private readonly log: Logger;
  private readonly limiter: LogLimiter;

  constructor(private readonly o: V1SessionOptions) {
    this.endpoint = parsePoolUrl(o.url);
    this.url = o.url;
    this.log = o.logger;
    this.limiter = new LogLimiter(o.clock);
  }

  get state(): SessionState { return this.st; }
  get currentEndpoint(): PoolEndpoint { return { ...this.endpoint }; }

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
    if (this.st !== 'ready') return Promise.resolve({ accepted: false, reason: 'not connected', code: null, latencyMs: 0 });
    return new Promise((resolve) => this.request('mining.submit', submitParams(this.o.user, share), this.o.submitTimeoutMs ?? 30_000, (r) => {
      const res = submitOutcome(r, this.o.clock.now() - t0);
      if (res.accepted) this.stats.accepted++;
      else this.stats.rejected++;
      resolve(res);
    }));
  }

  // ---- connection --------------------------------------------------------------------------

  private connect(): void {
    const gen = ++this.gen;
    const { host, port } = this.endpoint;
    this.setState('connecting');
    this.framer = new LineFramer();
    // Per-connection state: a new connection has a new extranonce1 and difficulty (default 1).
    this.lastJob = undefined;
    this.nextDifficulty = 1;
    this.unusableDifficulty = undefined;
    this.configureSent = false;
    const { sock, readyEvent } = openSocket(this.endpoint, this.o.tls);
    this.socket = sock;
    sock.setEncoding('utf8');
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 30_000);
    const connectTimer = this.o.clock.setTimeout(() => {
      if (gen === this.gen) this.lost('connect timeout');
    }, this.o.connectTimeoutMs ?? 15_000);
    sock.once(readyEvent, () => {
      connectTimer.cancel();
      if (gen !== this.gen) return;
      const pin = this.endpoint.tls ? pinMismatch(sock, this.o.tls) : undefined;
      if (pin) return this.lost(pin);
      if (this.endpoint.tls && isInsecure(this.o.tls)) {
        this.limiter.run('insecure', (n) => this.log.warn({ host, port, suppressed: n }, 'TLS certificate NOT verified (tls.insecure): anyone on the path can read and change this pool traffic'));
      }
      this.stats.connects++;
      this.log.info({ host, port, tls: this.endpoint.tls }, 'pool connected');
      this.touch();
      this.handshake(gen);
    });
    sock.on('data', (chunk: string) => { if (gen === this.gen) this.onData(chunk); });
    sock.on('error', (err) => { connectTimer.cancel(); if (gen === this.gen) this.lost(`socket error: ${err.message}`); });
    sock.on('close', () => { connectTimer.cancel(); if (gen === this.gen) this.lost('connection closed'); });
  }

  /**
   * [configure] -> subscribe -> [extranonce.subscribe] -> authorize -> [suggest_difficulty] -> ready.
   * Every step runs in the reply's dispatch(), synchronously: a subscribe result, set_difficulty
   * and notify that arrive in one read are applied in that order (the notify takes the new
   * extranonce1). Replies the session does not need (configure, extranonce.subscribe) never block.
   */
  private handshake(gen: number): void {
    this.setState('subscribing');
    if (this.o.minimumDifficulty !== undefined && !this.configureOff) this.sendConfigure(gen, this.o.minimumDifficulty);
    this.request('mining.subscribe', subscribeParams(this.agent(), this.sessionId), 30_000, (r) => {
      if (gen !== this.gen) return;
      const sub = subscribeOutcome(r);
      if (!sub.ok) return this.lost(sub.reason);
      this.configureSent = false; // the pool lived through configure
      this.sessionId = sub.sub.sessionId ?? this.sessionId;
      this.extranonce1 = sub.sub.extranonce1;
      this.extranonce2Size = sub.sub.extranonce2Size;
      this.events.emit('extranonce', { extranonce1: this.extranonce1, extranonce2Size: this.extranonce2Size });
      if (this.o.extranonceSubscribe ?? true) {
        this.request('mining.extranonce.subscribe', [], 10_000, (x) => {
          const o = extranonceSubscribeOutcome(x);
          if (!o.supported) this.log.debug({ reason: o.reason }, 'pool does not support mining.extranonce.subscribe');
        });
      }
      this.setState('authorizing');
      this.request('mining.authorize', [this.o.user, this.o.password], 30_000, (ar) => this.authorized(gen, ar));
    });
  }

  private sendConfigure(gen: number, minimumDifficulty: number): void {
    let params: unknown[];
    try { params = configureParams({ minimumDifficulty }); } catch (err) {
      this.configureOff = true;
      return void this.log.warn({ err: (err as Error).message }, 'mining.configure not sent');
    }
    this.configureSent = true;
    this.request('mining.configure', params, 10_000, (r) => {
      if (gen !== this.gen) return;
      const c = configureOutcome(r);
      if (c.minimumDifficulty) this.log.info({ minimumDifficulty }, 'pool accepted minimum-difficulty');
      else this.log.info({ reason: c.reason }, 'pool did not accept mining.configure minimum-difficulty; going on without it');
    });
  }

  private authorized(gen: number, r: Response): void {
    if (gen !== this.gen) return;
    const auth = authorizeOutcome(r, this.o.user);
    if (!auth.ok) return this.lost(auth.reason);
    if (this.o.suggestDifficulty !== undefined) {
      try {
        this.send({ id: this.nextId++, method: 'mining.suggest_difficulty', params: suggestDifficultyParams(this.o.suggestDifficulty) });
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'suggest_difficulty not sent');
      }
    }
    this.setState('ready');
    if (this.lastJob) this.emitJob(this.lastJob); // notify may have arrived before the authorize reply
  }

  private lost(reason: string): void {
    if (!this.socket) return;
    this.stats.disconnects++;
    if (this.configureSent) {
      // BIP310's motivation: some pools drop the connection on a method they do not know.
      this.configureOff = true;
      this.configureSent = false;
      this.log.warn({ reason }, 'connection lost before the subscribe reply after mining.configure; not sending it again');
    }
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
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
    const fail = { kind: 'response' as const, id: 0, result: null, error: { code: null, message: `disconnected: ${reason}` } };
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) { p.timer?.cancel(); p.onReply(fail); }
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

  private send(obj: unknown): void {
    this.socket?.write(JSON.stringify(obj) + '\n');
  }

  /** Sends a request; `onReply` gets the reply (synchronously in dispatch), a timeout or a disconnect error. */
  private request(method: string, params: unknown[], timeoutMs: number, onReply: (m: Response) => void): void {
    const id = this.nextId++;
    const p: Pending = { method, sentAt: this.o.clock.now(), onReply };
    p.timer = this.o.clock.setTimeout(() => {
      if (!this.pending.delete(id)) return;
      if (method === 'mining.submit') this.stats.submitTimeouts++;
      onReply({ kind: 'response', id, result: null, error: { code: null, message: `${method} timed out` } });
    }, timeoutMs);
    this.pending.set(id, p);
    this.send({ id, method, params });
  }

  private onData(chunk: string): void {
    this.touch();
    const gen = this.gen;
    for (const ev of this.framer.push(chunk)) {
      if (gen !== this.gen) return; // a line of this read ended the connection: the rest belongs to it
      if (ev.kind === 'overflow') {
        this.stats.overflows++;
        this.log.warn({ bytes: ev.bytes }, 'pool sent an over-long line; dropped');
        continue;
      }
      const r = parseMessage(ev.line);
      if (!r.ok) {
        this.stats.malformed++;
        this.log.warn({ error: r.error, line: ev.line.slice(0, 120) }, 'malformed line from pool; ignored');
        continue;
      }
      try {
        this.dispatch(r.msg);
      } catch (err) {
        this.stats.malformed++;
        this.log.warn({ err: (err as Error).message }, 'bad message from pool; ignored');
      }
    }
  }

  private dispatch(m: RpcMessage): void {
    if (m.kind === 'response') {
      const id = typeof m.id === 'number' ? m.id : Number(m.id);
      const p = this.pending.get(id);
      if (!p) return void this.log.debug({ id: m.id }, 'reply to no pending request');
      this.pending.delete(id);
      p.timer?.cancel();
      p.onReply(m);
      return;
    }
    const handler = serverHandler(m.method);
    if (!handler) {
      this.stats.unknownMethods++;
      this.log.info({ method: m.method.slice(0, 64) }, 'unknown method from pool; ignored');
      if (m.id !== null) this.reply(m.id, null, [20, 'Unsupported method', null]);
      return;
    }
    let effects: HandlerEffect[];
    try {
      effects = handler(m.params, m.id, this.handlerContext());
    } catch (err) {
      if (!isKabosuError(err)) throw err; // a handler bug: onData counts, logs it and survives
      this.stats.malformed++;
      this.stats.badParams++;
      this.log.warn({ code: err.code, method: m.method, err: err.message.slice(0, 200) }, 'bad params from pool; ignored');
      if (m.id !== null) this.reply(m.id, null, [20, err.message.slice(0, 200), null]);
      return;
    }
    for (const e of effects) this.apply(e);
  }

  private handlerContext(): HandlerContext {
    return {
      nextDifficulty: this.nextDifficulty, extranonce1: this.extranonce1, extranonce2Size: this.extranonce2Size,
      endpoint: { ...this.endpoint }, allowRedirectHost: this.o.allowRedirectHost ?? false, agent: this.agent(),
      unusableDifficulty: this.unusableDifficulty,
    };
  }

  /** Applies one handler effect to the session state. */
  private apply(e: HandlerEffect): void {
    switch (e.kind) {
      case 'difficulty':
        if (e.clampedFrom !== undefined) {
          this.stats.clampedDifficulty++;
          this.limiter.run('clamped', (n) => this.log.warn({ from: e.clampedFrom, to: e.difficulty, suppressed: n }, 'pool difficulty below the smallest distinct target; clamped (same share target)'));
        }
        this.unusableDifficulty = undefined;
        this.nextDifficulty = e.difficulty;
        this.events.emit('difficulty', e.difficulty);
        return;
      case 'badDifficulty':
        this.stats.badDifficulty++;
        this.stats.badParams++;
        this.stats.malformed++;
        this.unusableDifficulty = `${e.reason}, got ${e.value}`;
        this.limiter.run('badDifficulty', (n) => this.log.warn({ value: e.value, reason: e.reason, count: this.stats.badDifficulty, suppressed: n }, 'unusable mining.set_difficulty refused; jobs on it will not be mined'));
        return;
      case 'unusableJob':
        // The pool's difficulty is unknown: any share would be a guess. Treat the pool as failed
        // (backoff, reconnect later); the pool manager moves to the next ready pool meanwhile.
        this.stats.unusableJobs++;
        this.lastJob = undefined;
        this.lost(`pool difficulty unusable (${e.reason}); job ${e.jobId.slice(0, 64)} not mined`);
        return;
      case 'job':
        this.stats.jobs++;
        this.lastJob = e.job;
        if (this.st === 'ready') this.emitJob(e.job);
        return;
      case 'extranonce':
        this.extranonce1 = e.extranonce1;
        this.extranonce2Size = e.extranonce2Size;
        this.events.emit('extranonce', { extranonce1: e.extranonce1, extranonce2Size: e.extranonce2Size });
        return;
      case 'reconnect':
        this.log.info({ host: e.host, port: e.port, waitMs: e.waitMs }, 'pool asked us to reconnect');
        this.endpoint = { ...this.endpoint, host: e.host, port: e.port };
        this.teardown('client.reconnect');
        this.setState('backoff', 'client.reconnect');
        this.retryTimer?.cancel();
        this.retryTimer = this.o.clock.setTimeout(() => { this.retryTimer = undefined; if (!this.closed) this.connect(); }, e.waitMs);
        return;
      case 'refused':
        this.log.warn({ method: e.method, host: e.host.slice(0, 100), port: e.port }, e.reason);
        return;
      case 'message':
        this.log.info({ text: e.text }, 'pool message');
        this.events.emit('message', e.text);
        return;
      case 'reply':
        this.reply(e.id, e.result, e.error);
        return;
    }
  }

  reply(id: RpcId, result: unknown, error: unknown = null): void {
    this.send({ id, result, error });
  }

  private emitJob(job: Job): void {
    this.attempt = 0; // backoff resets on usable work, not on authorize: a pool that never gives any keeps backing off
    this.events.emit('job', job);
  }

  agent(): string { return this.o.agent ?? 'kabosu/0.1'; }
}
