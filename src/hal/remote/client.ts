/**
 * Remote-hal client: I2cBus, GpioLine, Pwm and Tach implementations that forward every call to a
 * RemoteHalServer (a `kabosu sim --hal ADDR` process). Works on the main thread and in worker
 * threads (it uses only node:net). Every call has a timeout. When the link drops, pending calls
 * reject with a typed, `canceled` KabosuError (KBS_E_HAL_REMOTE_CLOSED), calls made while the link
 * is down fail fast with the same code (nothing waits, nothing is hidden: the thermal interlock sees
 * unreadable sensors), and the client reconnects with bounded, jittered exponential backoff,
 * emitting `disconnected` / `reconnecting` / `reconnected`. Only close() stops it for good.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { KabosuError } from '../../core/errors';
import { TypedEmitter } from '../../core/events';
import type { GpioLine, I2cBus, Pwm, Tach } from '../types';
import { FrameDecoder, encodeFrame, parseResponse } from './frame';
import type { RemoteOp, RemoteTopology } from './frame';
import { RemoteI2cBus, describeOp, remoteGpio, remotePwm, remoteTach } from './devices';

export const DEFAULT_CALL_TIMEOUT_MS = 2000;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface RemoteHalOptions {
  /** Per-call timeout (ms). */
  timeoutMs?: number;
  /** Connect timeout (ms), first connect and each reconnect attempt. */
  connectTimeoutMs?: number;
  /** Reconnect after the link drops (default true). */
  reconnect?: boolean;
  /** First reconnect delay (ms, default 100); doubles per failed attempt up to reconnectMaxMs. */
  reconnectBaseMs?: number;
  /** Cap on one reconnect delay (ms, default 5000). */
  reconnectMaxMs?: number;
  /** Give up after this many failed attempts in a row (default: never; the sim may come back any time). */
  maxReconnectAttempts?: number;
  /** [0,1) source for the jitter (tests). */
  random?: () => number;
}

export type RemoteHalLinkState = 'connected' | 'reconnecting' | 'closed';

export interface RemoteHalEvents {
  /** The link dropped; calls fail fast until `reconnected`. */
  disconnected: { address: string; code: string; reason: string };
  /** A reconnect attempt is scheduled (attempt counts from 1). */
  reconnecting: { address: string; attempt: number; delayMs: number; lastError?: string };
  /** The link is back and answered describe. `topologyChanged`: the sim serves a different miner now. */
  reconnected: { address: string; attempts: number; downMs: number; topologyChanged: boolean };
  /** maxReconnectAttempts reached; the client is closed. */
  gaveUp: { address: string; attempts: number };
}

/** Delay before reconnect attempt `attempt` (0-based): min(max, base * 2^attempt), jittered to [50%, 100%]. */
export function reconnectDelay(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.round(full * (0.5 + 0.5 * random)));
}

export class RemoteHalClient {
  readonly events = new TypedEmitter<RemoteHalEvents>();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set while calls must fail (link down or closed). */
  private downError: KabosuError | null = null;
  private userClosed = false;
  private socket: Socket | null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private downSince = 0;
  private readonly timeoutMs: number;

  private constructor(
    socket: Socket,
    readonly address: string,
    readonly topology: RemoteTopology,
    private readonly opts: RemoteHalOptions,
  ) {
    this.socket = socket;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  }

  /** Connects to 'unix:/path' or 'HOST:PORT' and fetches the topology. The first connect does not retry. */
  static async connect(address: string, opts: RemoteHalOptions = {}): Promise<RemoteHalClient> {
    const socket = await openSocket(address, opts.connectTimeoutMs ?? 2000);
    const client = new RemoteHalClient(socket, address, { i2cBuses: 0, sensorBuses: [], gpio: [], fans: 0 }, opts);
    client.wire(socket);
    try {
      const topo = (await client.rpc(socket, { op: 'describe' })) as RemoteTopology;
      Object.assign(client.topology, topo);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  private corked: Socket | null = null;

  /** True while calls fail (link down and reconnecting, or closed). */
  get closed(): boolean {
    return this.downError !== null;
  }

  get state(): RemoteHalLinkState {
    if (this.userClosed) return 'closed';
    return this.downError ? 'reconnecting' : 'connected';
  }

  private wire(socket: Socket): void {
    const dec = new FrameDecoder();
    socket.on('data', (chunk) => {
      if (socket !== this.socket) return;
      try {
        for (const m of dec.push(chunk)) this.settle(parseResponse(m));
      } catch (e) {
        this.linkLost(socket, new KabosuError('KBS_E_HAL_REMOTE_PROTOCOL', `remote hal ${this.address} sent a bad frame: ${(e as Error).message}`, { cause: e, canceled: true }));
        socket.destroy();
      }
    });
    socket.on('error', (e) => this.linkLost(socket, closedErr(this.address, e)));
    socket.on('close', () => this.linkLost(socket, closedErr(this.address)));
  }

  private settle(r: ReturnType<typeof parseResponse>): void {
    const p = this.pending.get(r.id);
    if (!p) return; // answer to a call that already timed out
    this.pending.delete(r.id);
    clearTimeout(p.timer);
    if (r.ok) p.resolve(r.value);
    else p.reject(new KabosuError(r.code, r.error, { context: { remote: this.address } }));
  }

  private failPending(e: KabosuError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
  }

  /** The current socket died: fail what is in flight, then reconnect unless closed. */
  private linkLost(socket: Socket, e: KabosuError): void {
    if (socket !== this.socket) return;
    this.socket = null;
    socket.destroy();
    const wasUp = this.downError === null;
    if (!this.downError) this.downError = e;
    this.failPending(e);
    if (this.userClosed) return;
    if (wasUp) {
      this.downSince = Date.now();
      this.attempts = 0;
      this.events.emit('disconnected', { address: this.address, code: e.code, reason: e.message });
    }
    this.scheduleReconnect(wasUp ? undefined : e.message);
  }

  private scheduleReconnect(lastError?: string): void {
    if (this.userClosed || this.retryTimer || (this.opts.reconnect ?? true) === false) return;
    if (this.attempts >= (this.opts.maxReconnectAttempts ?? Infinity)) {
      this.events.emit('gaveUp', { address: this.address, attempts: this.attempts });
      void this.close();
      return;
    }
    const delayMs = reconnectDelay(this.attempts, this.opts.reconnectBaseMs ?? 100, this.opts.reconnectMaxMs ?? 5000, (this.opts.random ?? Math.random)());
    this.attempts++;
    this.events.emit('reconnecting', { address: this.address, attempt: this.attempts, delayMs, ...(lastError ? { lastError } : {}) });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.reconnectOnce();
    }, delayMs); // kept ref'd: a reconnecting client is live work; close() ends it
  }

  private async reconnectOnce(): Promise<void> {
    let socket: Socket;
    try {
      socket = await openSocket(this.address, this.opts.connectTimeoutMs ?? 2000);
    } catch (e) {
      return this.scheduleReconnect((e as Error).message);
    }
    if (this.userClosed) return void socket.destroy();
    this.socket = socket;
    this.wire(socket);
    let topo: RemoteTopology;
    try {
      topo = (await this.rpc(socket, { op: 'describe' })) as RemoteTopology;
    } catch (e) {
      // a close/bad frame already went through linkLost (which rescheduled); a timeout did not
      if (this.socket === socket) this.linkLost(socket, e instanceof KabosuError ? e : closedErr(this.address, e as Error));
      return;
    }
    if (this.socket !== socket || this.userClosed) return;
    const topologyChanged = topologyKey(topo) !== topologyKey(this.topology);
    if (topologyChanged) Object.assign(this.topology, topo);
    this.downError = null;
    const attempts = this.attempts;
    this.attempts = 0;
    this.events.emit('reconnected', { address: this.address, attempts, downMs: Date.now() - this.downSince, topologyChanged });
  }

  /** One request/response; rejects on timeout, on a dead link (fast), or with the server's error. */
  call(op: RemoteOp): Promise<unknown> {
    if (this.downError || !this.socket) return Promise.reject(this.downError ?? closedErr(this.address));
    return this.rpc(this.socket, op);
  }

  private rpc(socket: Socket, op: RemoteOp): Promise<unknown> {
    const id = this.nextId;
    this.nextId = this.nextId >= 2 ** 31 ? 1 : this.nextId + 1;
    // The timeout error is built only when it fires: capturing a stack per call was half the
    // thermal loop's CPU (a dozen sensor reads every 250 ms). Its message names the device,
    // register and operation, which is what the caller's stack would have told (a deliberate
    // exception to conventions 2.3.3 on this per-call path).
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KabosuError('KBS_E_HAL_REMOTE_TIMEOUT', `Timeout after ${this.timeoutMs}ms [remote hal ${this.address} ${describeOp(op)}]`, { hint: 'is the simulator process alive and not stalled?' }));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send(socket, encodeFrame({ ...op, id }));
    });
  }

  /**
   * Frames written in the same tick leave in one write: the thermal loop's concurrent sensor
   * reads become one syscall and, with the server doing the same, one wake-up per round
   * instead of one per frame.
   */
  private send(socket: Socket, frame: Buffer): void {
    if (this.corked !== socket) {
      this.corked = socket;
      socket.cork();
      process.nextTick(() => {
        if (this.corked === socket) this.corked = null;
        socket.uncork();
      });
    }
    socket.write(frame);
  }

  i2c(index: number): I2cBus {
    return new RemoteI2cBus(this, { kind: 'ctrl', index });
  }

  sensorBus(chain: number, sensor: number): I2cBus {
    return new RemoteI2cBus(this, { kind: 'sensor', chain, sensor });
  }

  gpio(line: string): GpioLine {
    return remoteGpio(this, line);
  }

  pwm(fan: number, initialDuty = 0): Pwm {
    return remotePwm(this, fan, initialDuty);
  }

  tach(fan: number): Tach {
    return remoteTach(this, fan);
  }

  /** Ends the link for good: no more reconnects; pending and later calls reject KBS_E_HAL_REMOTE_CLOSED. */
  async close(): Promise<void> {
    this.userClosed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const e = closedErr(this.address);
    if (!this.downError) this.downError = e;
    this.failPending(e);
    const s = this.socket;
    this.socket = null;
    if (!s || s.destroyed) return;
    await new Promise<void>((r) => {
      s.once('close', () => r());
      s.destroy();
    });
  }
}

function topologyKey(t: RemoteTopology): string {
  return JSON.stringify([t.i2cBuses, t.sensorBuses, t.gpio, t.fans]);
}

function closedErr(address: string, cause?: Error): KabosuError {
  return new KabosuError('KBS_E_HAL_REMOTE_CLOSED', `remote hal ${address} is disconnected${cause ? `: ${cause.message}` : ''}`, { hint: 'the simulator process stopped or the socket closed; restart it and reconnect', canceled: true, cause });
}

function openSocket(address: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let s: Socket;
    if (address.startsWith('unix:')) s = connect(address.slice(5));
    else {
      const m = /^(?:([^:]+):)?(\d+)$/.exec(address);
      if (!m) return reject(new KabosuError('KBS_E_HAL_REMOTE_ADDRESS', `bad remote-hal address '${address}'`, { hint: 'use unix:/path or HOST:PORT' }));
      s = connect(Number(m[2]), m[1] ?? '127.0.0.1');
    }
    const timer = setTimeout(() => {
      s.destroy();
      reject(new KabosuError('KBS_E_HAL_REMOTE_CONNECT', `connecting to remote hal ${address} timed out after ${timeoutMs}ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new KabosuError('KBS_E_HAL_REMOTE_CONNECT', `cannot connect to remote hal ${address}: ${e.message}`, { hint: 'start the simulator with kabosu sim run --hal ADDR', cause: e }));
    });
  });
}
