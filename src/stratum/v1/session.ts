/**
 * Stratum V1 client session behind the PoolSession contract. One TCP/TLS connection at a time;
 * reconnects with jittered exponential backoff on the injected Clock. Hostile or malformed input
 * is logged, counted and survived. The password is never logged.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
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
  authorizeOutcome, extranonceSubscribeOutcome, serverHandler, submitOutcome, submitParams, subscribeOutcome, subscribeParams,
  suggestDifficultyParams, type HandlerContext, type HandlerEffect,
} from './handlers';

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
  /** Send mining.extranonce.subscribe (default true). */
  extranonceSubscribe?: boolean;
  /** Read-idle timeout; no bytes for this long -> reconnect (default 150 s: 5 missed job intervals). */
  idleTimeoutMs?: number;
  submitTimeoutMs?: number;
  connectTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  /** TLS options (stratum+ssl): a CA to trust, or rejectUnauthorized=false for self-signed pools. */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean; servername?: string };
  /** Follow client.reconnect to another host (default: same host only, port may change). */
  allowRedirectHost?: boolean;
}

export interface V1SessionStats {
  connects: number; disconnects: number; malformed: number; overflows: number; unknownMethods: number;
  /** Server requests whose params a handler refused (also counted in `malformed`). */
  badParams: number;
  jobs: number; accepted: number; rejected: number; submitTimeouts: number;
}

interface Pending { method: string; sentAt: number; timer?: TimerHandle; resolve: (m: RpcMessage & { kind: 'response' }) => void }

export class StratumV1Session implements PoolSession {
  readonly url: string;
  readonly events = new TypedEmitter<PoolSessionEvents>();
  readonly stats: V1SessionStats = { connects: 0, disconnects: 0, malformed: 0, overflows: 0, unknownMethods: 0, badParams: 0, jobs: 0, accepted: 0, rejected: 0, submitTimeouts: 0 };
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
  /** set_difficulty value that the next mining.notify takes (default 1). */
  nextDifficulty = 1;
  lastJob: Job | undefined;
  private readonly log: Logger;

  constructor(private readonly o: V1SessionOptions) {
    this.endpoint = parsePoolUrl(o.url);
    this.url = o.url;
    this.log = o.logger;
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
    return this.request('mining.submit', submitParams(this.o.user, share), this.o.submitTimeoutMs ?? 30_000).then((r) => {
      const res = submitOutcome(r, this.o.clock.now() - t0);
      if (res.accepted) this.stats.accepted++;
      else this.stats.rejected++;
      return res;
    });
  }

  // ---- connection --------------------------------------------------------------------------

  private connect(): void {
    const gen = ++this.gen;
    const { host, port } = this.endpoint;
    this.setState('connecting');
    this.framer = new LineFramer();
    const sock: net.Socket = this.endpoint.tls
      ? tls.connect({ host, port, ca: this.o.tls?.ca, rejectUnauthorized: this.o.tls?.rejectUnauthorized ?? true, servername: this.o.tls?.servername ?? (net.isIP(host) ? undefined : host) })
      : net.connect({ host, port });
    this.socket = sock;
    sock.setEncoding('utf8');
    sock.setNoDelay(true);
    sock.setKeepAlive(true, 30_000);
    const connectTimer = this.o.clock.setTimeout(() => {
      if (gen === this.gen) this.lost('connect timeout');
    }, this.o.connectTimeoutMs ?? 15_000);
    sock.once(this.endpoint.tls ? 'secureConnect' : 'connect', () => {
      connectTimer.cancel();
      if (gen !== this.gen) return;
      this.stats.connects++;
      this.log.info({ host, port, tls: this.endpoint.tls }, 'pool connected');
      this.touch();
      void this.handshake(gen);
    });
    sock.on('data', (chunk: string) => { if (gen === this.gen) this.onData(chunk); });
    sock.on('error', (err) => { connectTimer.cancel(); if (gen === this.gen) this.lost(`socket error: ${err.message}`); });
    sock.on('close', () => { connectTimer.cancel(); if (gen === this.gen) this.lost('connection closed'); });
  }

  private async handshake(gen: number): Promise<void> {
    this.setState('subscribing');
    const sub = subscribeOutcome(await this.request('mining.subscribe', subscribeParams(this.agent(), this.sessionId), 30_000));
    if (gen !== this.gen) return;
    if (!sub.ok) return this.lost(sub.reason);
    this.sessionId = sub.sub.sessionId ?? this.sessionId;
    this.extranonce1 = sub.sub.extranonce1;
    this.extranonce2Size = sub.sub.extranonce2Size;
    this.events.emit('extranonce', { extranonce1: this.extranonce1, extranonce2Size: this.extranonce2Size });
    if (this.o.extranonceSubscribe ?? true) {
      void this.request('mining.extranonce.subscribe', [], 10_000).then((r) => {
        const x = extranonceSubscribeOutcome(r);
        if (!x.supported) this.log.debug({ reason: x.reason }, 'pool does not support mining.extranonce.subscribe');
      });
    }
    this.setState('authorizing');
    const auth = authorizeOutcome(await this.request('mining.authorize', [this.o.user, this.o.password], 30_000), this.o.user);
    if (gen !== this.gen) return;
    if (!auth.ok) return this.lost(auth.reason);
    if (this.o.suggestDifficulty !== undefined) {
      try {
        this.send({ id: this.nextId++, method: 'mining.suggest_difficulty', params: suggestDifficultyParams(this.o.suggestDifficulty) });
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'suggest_difficulty not sent');
      }
    }
    this.attempt = 0;
    this.setState('ready');
    if (this.lastJob) this.emitJob(this.lastJob); // notify may have arrived before the authorize reply
  }

  private lost(reason: string): void {
    if (!this.socket) return;
    this.stats.disconnects++;
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
    for (const [, p] of this.pending) { p.timer?.cancel(); p.resolve(fail); }
    this.pending.clear();
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

  private request(method: string, params: unknown[], timeoutMs: number): Promise<RpcMessage & { kind: 'response' }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const p: Pending = { method, sentAt: this.o.clock.now(), resolve };
      p.timer = this.o.clock.setTimeout(() => {
        if (!this.pending.delete(id)) return;
        if (method === 'mining.submit') this.stats.submitTimeouts++;
        resolve({ kind: 'response', id, result: null, error: { code: null, message: `${method} timed out` } });
      }, timeoutMs);
      this.pending.set(id, p);
      this.send({ id, method, params });
    });
  }

  private onData(chunk: string): void {
    this.touch();
    for (const ev of this.framer.push(chunk)) {
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
      p.resolve(m);
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
    };
  }

  /** Applies one handler effect to the session state. */
  private apply(e: HandlerEffect): void {
    switch (e.kind) {
      case 'difficulty':
        this.nextDifficulty = e.difficulty;
        this.events.emit('difficulty', e.difficulty);
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
    this.events.emit('job', job);
  }

  agent(): string { return this.o.agent ?? 'kabosu/0.1'; }
}
