/**
 * An in-process UART line: the firmware gets a `Uart`, the simulated chain a `ByteLink`.
 * Bytes are delivered asynchronously and in order; with `paced`, each chunk arrives after its
 * wire time at the current baud (10 bits per byte, 8N1) on the injected clock, so rate tests
 * run on a VirtualClock. The line speed is the host's (`setBaud`); the chain compares its chips'
 * speed with `ByteLink.baud` and garbles bytes on a mismatch, as hardware does.
 */
import { KabosuError } from '../../core/errors';
import type { Clock, Uart } from '../types';
import type { ByteLink } from '../../sim/chain/simChain';

export interface UartPairOptions {
  baud: number;
  clock: Clock;
  /** Deliver each chunk after its wire time at the line's baud (default false: next microtask). */
  paced?: boolean;
}

/** Wire time of `bytes` at `baud` with 10 bits per byte, in ms. */
export function wireTimeMs(bytes: number, baud: number): number {
  return (bytes * 10 * 1000) / baud;
}

type Listener = (...args: never[]) => void;

class Direction {
  private freeAt = 0;
  /** Chunks in wire order; one timer delivers them in that order (per-chunk timers could
   * fire out of order: Node's timer lists round delays to whole milliseconds). */
  private readonly queue: { at: number; buf: Buffer; deliver: (b: Buffer) => void; resolve: () => void }[] = [];
  private timer: { cancel(): void } | null = null;
  constructor(private readonly clock: Clock, private readonly paced: boolean, private readonly baud: () => number) {}

  /** Delivers `buf` to `deliver` and resolves when it has left the wire. */
  send(buf: Buffer, deliver: (b: Buffer) => void): Promise<void> {
    const copy = Buffer.from(buf);
    if (!this.paced) {
      queueMicrotask(() => deliver(copy));
      return Promise.resolve();
    }
    const now = this.clock.now();
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + wireTimeMs(copy.length, this.baud());
    return new Promise((resolve) => {
      this.queue.push({ at: this.freeAt, buf: copy, deliver, resolve });
      this.arm();
    });
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      const now = this.clock.now();
      while (this.queue.length > 0 && this.queue[0].at <= now + 0.5) {
        const c = this.queue.shift()!;
        c.deliver(c.buf);
        c.resolve();
      }
      this.arm();
    }, Math.max(0, this.queue[0].at - this.clock.now()));
  }
}

class PairUart implements Uart {
  private listeners = { data: new Set<Listener>(), error: new Set<Listener>(), close: new Set<Listener>() };
  closed = false;
  constructor(private readonly line: UartLine) {}

  get baud(): number {
    return this.line.baud;
  }
  write(buf: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new KabosuError('KBS_E_HAL_CLOSED', 'write on a closed UART', { canceled: true }));
    return this.line.hostToDevice(Buffer.from(buf));
  }
  on(event: 'data' | 'error' | 'close', fn: Listener): void {
    this.listeners[event].add(fn);
  }
  off(event: 'data' | 'error' | 'close', fn: Listener): void {
    this.listeners[event].delete(fn);
  }
  async setBaud(baud: number): Promise<void> {
    if (!Number.isFinite(baud) || baud <= 0) throw new KabosuError('KBS_E_UART_BAUD', `invalid baud rate ${baud}`, { hint: 'use a positive termios rate such as 115200' });
    this.line.baud = baud;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.listeners.close) (fn as () => void)();
  }
  emitData(b: Buffer): void {
    if (this.closed) return;
    for (const fn of this.listeners.data) (fn as (b: Buffer) => void)(b);
  }
}

class UartLine {
  baud: number;
  readonly host: PairUart;
  readonly device: ByteLink;
  private readonly down: Direction;
  private readonly up: Direction;
  private deviceListeners: Array<(b: Buffer) => void> = [];

  constructor(o: UartPairOptions) {
    this.baud = o.baud;
    this.down = new Direction(o.clock, o.paced ?? false, () => this.baud);
    this.up = new Direction(o.clock, o.paced ?? false, () => this.baud);
    this.host = new PairUart(this);
    const line = this;
    this.device = {
      send: (buf: Buffer) => {
        if (line.host.closed) return;
        void line.up.send(buf, (b) => line.host.emitData(b));
      },
      onReceive: (fn: (b: Buffer) => void) => {
        line.deviceListeners.push(fn);
      },
      get baud() {
        return line.baud;
      },
    };
  }

  hostToDevice(buf: Buffer): Promise<void> {
    return this.down.send(buf, (b) => {
      for (const fn of this.deviceListeners) fn(b);
    });
  }
}

export function createUartPair(o: UartPairOptions): { host: Uart; device: ByteLink } {
  const line = new UartLine(o);
  return { host: line.host, device: line.device };
}
