/**
 * Remote-hal client: I2cBus, GpioLine, Pwm and Tach implementations that forward every call to a
 * RemoteHalServer (a `kabosu sim --hal ADDR` process). Works on the main thread and in worker
 * threads (it uses only node:net). Every call has a timeout; when the link drops, pending and
 * later calls reject with a typed, `canceled` KabosuError (KBS_E_HAL_REMOTE_CLOSED): nothing
 * waits forever.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { KabosuError } from '../../core/errors';
import type { GpioLine, I2cBus, Pwm, Tach } from '../types';
import { FrameDecoder, encodeFrame, parseResponse } from './frame';
import type { BusRef, I2cMethod, RemoteOp, RemoteTopology } from './frame';

export const DEFAULT_CALL_TIMEOUT_MS = 2000;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export interface RemoteHalOptions {
  /** Per-call timeout (ms). */
  timeoutMs?: number;
  /** Connect timeout (ms). */
  connectTimeoutMs?: number;
}

export class RemoteHalClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: KabosuError | null = null;
  private readonly timeoutMs: number;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly topology: RemoteTopology,
    timeoutMs: number,
  ) {
    this.timeoutMs = timeoutMs;
  }

  /** Connects to 'unix:/path' or 'HOST:PORT' and fetches the topology. */
  static async connect(address: string, opts: RemoteHalOptions = {}): Promise<RemoteHalClient> {
    const socket = await openSocket(address, opts.connectTimeoutMs ?? 2000);
    const client = new RemoteHalClient(socket, address, { i2cBuses: 0, sensorBuses: [], gpio: [], fans: 0 }, opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
    client.wire();
    try {
      const topo = (await client.call({ op: 'describe' })) as RemoteTopology;
      Object.assign(client.topology, topo);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  private corked = false;

  get closed(): boolean {
    return this.closedError !== null;
  }

  private wire(): void {
    const dec = new FrameDecoder();
    this.socket.on('data', (chunk) => {
      try {
        for (const m of dec.push(chunk)) this.settle(parseResponse(m));
      } catch (e) {
        this.fail(new KabosuError('KBS_E_HAL_REMOTE_PROTOCOL', `remote hal ${this.address} sent a bad frame: ${(e as Error).message}`, { cause: e, canceled: true }));
        this.socket.destroy();
      }
    });
    this.socket.on('error', (e) => this.fail(closedErr(this.address, e)));
    this.socket.on('close', () => this.fail(closedErr(this.address)));
  }

  private settle(r: ReturnType<typeof parseResponse>): void {
    const p = this.pending.get(r.id);
    if (!p) return; // answer to a call that already timed out
    this.pending.delete(r.id);
    clearTimeout(p.timer);
    if (r.ok) p.resolve(r.value);
    else p.reject(new KabosuError(r.code, r.error, { context: { remote: this.address } }));
  }

  private fail(e: KabosuError): void {
    if (!this.closedError) this.closedError = e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
  }

  /** One request/response; rejects on timeout, on a dead link, or with the server's error. */
  call(op: RemoteOp): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId;
    this.nextId = this.nextId >= 2 ** 31 ? 1 : this.nextId + 1;
    // Built here so the stack points at the caller (conventions 2.3.3).
    const timeoutErr = new KabosuError('KBS_E_HAL_REMOTE_TIMEOUT', `Timeout after ${this.timeoutMs}ms [remote hal ${this.address} ${describeOp(op)}]`, { hint: 'is the simulator process alive and not stalled?' });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(timeoutErr);
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send(encodeFrame({ ...op, id }));
    });
  }

  /**
   * Frames written in the same tick leave in one write: the thermal loop's concurrent sensor
   * reads become one syscall and, with the server doing the same, one wake-up per round
   * instead of one per frame.
   */
  private send(frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  i2c(index: number): I2cBus {
    return new RemoteI2cBus(this, { kind: 'ctrl', index });
  }

  sensorBus(chain: number, sensor: number): I2cBus {
    return new RemoteI2cBus(this, { kind: 'sensor', chain, sensor });
  }

  gpio(line: string): GpioLine {
    return {
      read: async () => ((await this.call({ op: 'gpio', line, method: 'read' })) === 1 ? 1 : 0),
      write: async (value) => void (await this.call({ op: 'gpio', line, method: 'write', value })),
      close: async () => undefined,
    };
  }

  pwm(fan: number, initialDuty = 0): Pwm {
    const client = this;
    let duty = initialDuty;
    return {
      get duty() {
        return duty;
      },
      async setDuty(d: number) {
        if (!(d >= 0 && d <= 1)) throw new KabosuError('KBS_E_HAL_PWM_RANGE', `fan duty ${d} is outside 0..1`);
        await client.call({ op: 'pwm', fan, duty: d });
        duty = d;
      },
      close: async () => undefined,
    };
  }

  tach(fan: number): Tach {
    return {
      readRpm: async () => num(await this.call({ op: 'tach', fan })),
      close: async () => undefined,
    };
  }

  async close(): Promise<void> {
    this.fail(closedErr(this.address));
    if (this.socket.destroyed) return;
    await new Promise<void>((r) => {
      this.socket.once('close', () => r());
      this.socket.destroy();
    });
  }
}

class RemoteI2cBus implements I2cBus {
  constructor(
    private readonly c: RemoteHalClient,
    private readonly bus: BusRef,
  ) {}

  private req(method: I2cMethod, addr: number, extra: { reg?: number; value?: number; length?: number; data?: number[] } = {}): Promise<unknown> {
    return this.c.call({ op: 'i2c', bus: this.bus, method, addr, ...extra });
  }

  async sendByte(addr: number, value: number): Promise<void> {
    await this.req('sendByte', addr, { value });
  }
  async receiveByte(addr: number): Promise<number> {
    return num(await this.req('receiveByte', addr));
  }
  async readByte(addr: number, reg: number): Promise<number> {
    return num(await this.req('readByte', addr, { reg }));
  }
  async writeByte(addr: number, reg: number, value: number): Promise<void> {
    await this.req('writeByte', addr, { reg, value });
  }
  async readWord(addr: number, reg: number): Promise<number> {
    return num(await this.req('readWord', addr, { reg }));
  }
  async writeWord(addr: number, reg: number, value: number): Promise<void> {
    await this.req('writeWord', addr, { reg, value });
  }
  async readBlock(addr: number, reg: number, length: number): Promise<Buffer> {
    const v = await this.req('readBlock', addr, { reg, length });
    if (!Array.isArray(v)) throw new KabosuError('KBS_E_HAL_REMOTE_PROTOCOL', 'readBlock answer is not bytes');
    return Buffer.from(v as number[]);
  }
  async writeBlock(addr: number, reg: number, data: Uint8Array): Promise<void> {
    await this.req('writeBlock', addr, { reg, data: [...data] });
  }
  async close(): Promise<void> {
    /* the connection is shared; RemoteHalClient.close ends it */
  }
}

function num(v: unknown): number {
  if (typeof v !== 'number') throw new KabosuError('KBS_E_HAL_REMOTE_PROTOCOL', `expected a number from the remote hal, got ${typeof v}`);
  return v;
}

function describeOp(op: RemoteOp): string {
  switch (op.op) {
    case 'i2c':
      return `i2c ${op.bus.kind === 'ctrl' ? `bus=${op.bus.index}` : `chain=${op.bus.chain} sensor=${op.bus.sensor}`} ${op.method} addr=0x${op.addr.toString(16)}${op.reg !== undefined ? ` reg=0x${op.reg.toString(16)}` : ''}`;
    case 'gpio':
      return `gpio ${op.line} ${op.method}`;
    case 'pwm':
      return `pwm fan=${op.fan}`;
    case 'tach':
      return `tach fan=${op.fan}`;
    default:
      return op.op;
  }
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
