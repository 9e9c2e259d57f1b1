/**
 * `Uart` on a Linux tty: the chain UART on a real miner (/dev/ttyS1...) or the PTY the simulator
 * serves. The device is opened and configured by the kabosu addon (raw 8N1, exclusive flock,
 * non-blocking) and read by its `UartPoller` on the event loop's own epoll: one wake-up per
 * chunk, no thread-pool hop (node-serialport reads on the pool: ~2.3x the CPU at 300 chunks/s,
 * native/README.md). Writes are non-blocking write(2) calls; when the kernel's output queue is
 * full the rest waits and is retried every millisecond, in order. `setBaud` changes the termios
 * speed once queued output has gone out (TCSADRAIN).
 */
import { EventEmitter } from 'node:events';
import { closeSync, writeSync } from 'node:fs';
import { KabosuError } from '../../core/errors';
import { loadAddon } from '../../native/load';
import type { ReplyFrameSpec, Uart, UartPrehash } from '../types';
import { decodePrehashRecords } from './prehashRecords';

type Listener = (...args: never[]) => void;
interface PendingWrite {
  buf: Buffer;
  resolve(): void;
  reject(err: Error): void;
}

export class LinuxUart implements Uart {
  private readonly emitter = new EventEmitter();
  private poller: { stop(): void } | null = null;
  private reader: { stop(): void; setJob(wireJobId: number, header76: Buffer, urgentTarget: Buffer | null, gen: number): void } | null = null;
  private closed = false;
  private queue: PendingWrite[] = [];
  private retry: NodeJS.Timeout | null = null;

  private constructor(private readonly fd: number, private currentBaud: number, readonly path: string) {
    // An 'error' nobody listens to must not crash the daemon: the chain driver notices silence.
    this.emitter.on('error', () => undefined);
    this.startPoller();
  }

  private onRead = (chunk: Buffer | null, extra?: Buffer | string): void => {
    if (chunk) {
      if (this.closed) return;
      if (extra instanceof Buffer) this.emitter.emit('data', chunk, decodePrehashRecords(extra));
      else this.emitter.emit('data', chunk);
      return;
    }
    if (this.closed) return;
    const why = typeof extra === 'string' ? extra : 'unknown';
    this.emitter.emit('error', new KabosuError('KBS_E_UART_READ', `reading ${this.path} stopped: ${why}`, { hint: 'the device went away (unplugged, or the simulator exited); kabosu reopens it when the chain is re-initialised', context: { path: this.path } }));
    void this.close();
  };

  private startPoller(): void {
    this.poller = new (loadAddon().UartPoller)(this.fd, this.onRead);
  }

  private stopReading(): void {
    this.poller?.stop();
    this.poller = null;
    this.reader?.stop();
    this.reader = null;
  }

  /**
   * The reader thread (native/src/uart_reader.cc) in place of the loop's poller: framing and
   * hashing off the event loop, one loop wake-up per batch of ticket-level nonces.
   */
  readonly prehash: UartPrehash = {
    enable: (spec: ReplyFrameSpec, pow: 'scrypt' | 'scrypt-sim', lazyMs: number) => {
      if (this.closed) return;
      this.stopReading();
      this.reader = new (loadAddon().UartReader)(this.fd, this.onRead, { ...spec, pow, lazyMs });
    },
    disable: () => {
      if (this.closed || !this.reader) return;
      this.stopReading();
      this.startPoller();
    },
    setJob: (wireJobId, header76, urgentTarget, gen) => {
      this.reader?.setJob(wireJobId, Buffer.from(header76.buffer, header76.byteOffset, header76.byteLength), urgentTarget, gen);
    },
    isEnabled: () => this.reader !== null,
  };

  /** Opens `path` at `baud`; rejects with KBS_E_UART_OPEN naming the port and the reason. */
  static open(path: string, baud: number): Promise<LinuxUart> {
    try {
      const fd = loadAddon().uartOpen(path, baud);
      return Promise.resolve(new LinuxUart(fd, baud, path));
    } catch (err) {
      const e = err as Error;
      return Promise.reject(new KabosuError('KBS_E_UART_OPEN', `cannot open UART ${path}: ${e.message}`, { hint: 'check the device exists, is a serial port, is not used by another program, and kabosu may read and write it', context: { path, baud }, cause: e }));
    }
  }

  get baud(): number {
    return this.currentBaud;
  }

  /** Resolves once every byte is in the kernel's output queue (in write order). */
  write(buf: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new KabosuError('KBS_E_HAL_CLOSED', `write on closed UART ${this.path}`, { canceled: true }));
    return new Promise((resolve, reject) => {
      this.queue.push({ buf: Buffer.from(buf), resolve, reject });
      if (this.queue.length === 1) this.pump();
    });
  }

  private pump(): void {
    this.retry = null;
    while (this.queue.length > 0) {
      const head = this.queue[0];
      try {
        const n = head.buf.length === 0 ? 0 : writeSync(this.fd, head.buf);
        if (n < head.buf.length) {
          head.buf = head.buf.subarray(n);
          this.retry = setTimeout(() => this.pump(), 1);
          return;
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EINTR') {
          this.retry = setTimeout(() => this.pump(), 1);
          return;
        }
        this.queue.shift();
        head.reject(new KabosuError('KBS_E_UART_WRITE', `write to ${this.path} failed: ${(err as Error).message}`, { cause: err, context: { path: this.path } }));
        continue;
      }
      this.queue.shift();
      head.resolve();
    }
  }

  on(event: 'data' | 'error' | 'close', fn: Listener): void {
    this.emitter.on(event, fn as (...a: unknown[]) => void);
  }

  off(event: 'data' | 'error' | 'close', fn: Listener): void {
    this.emitter.off(event, fn as (...a: unknown[]) => void);
  }

  setBaud(baud: number): Promise<void> {
    if (!Number.isInteger(baud) || baud <= 0) return Promise.reject(new KabosuError('KBS_E_UART_BAUD', `invalid baud rate ${baud}`, { hint: 'use a termios rate such as 115200 or 3000000' }));
    if (this.closed) return Promise.reject(new KabosuError('KBS_E_HAL_CLOSED', `setBaud on closed UART ${this.path}`, { canceled: true }));
    try {
      loadAddon().uartSetBaud(this.fd, baud);
    } catch (err) {
      return Promise.reject(new KabosuError('KBS_E_UART_BAUD', `cannot set ${this.path} to ${baud} baud: ${(err as Error).message}`, { cause: err, context: { path: this.path, baud } }));
    }
    this.currentBaud = baud;
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.stopReading();
    if (this.retry) clearTimeout(this.retry);
    for (const w of this.queue.splice(0)) w.reject(new KabosuError('KBS_E_HAL_CLOSED', `UART ${this.path} closed before the write went out`, { canceled: true }));
    try {
      closeSync(this.fd);
    } catch {
      /* already gone */
    }
    this.emitter.emit('close');
    return Promise.resolve();
  }
}
