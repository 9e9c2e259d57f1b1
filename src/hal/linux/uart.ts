/**
 * `Uart` over node-serialport: the chain UART on a real miner (/dev/ttyO1...) or the PTY the
 * simulator serves. The only file that imports serialport. Raw 8N1; `setBaud` really changes the
 * termios speed (serialport `update`).
 */
import { SerialPort } from 'serialport';
import { KabosuError } from '../../core/errors';
import type { Uart } from '../types';

type Listener = (...args: never[]) => void;

export class LinuxUart implements Uart {
  private port: SerialPort;
  private closed = false;

  private constructor(port: SerialPort, private currentBaud: number, readonly path: string) {
    this.port = port;
  }

  /** Opens `path` at `baud`; rejects with KBS_E_UART_OPEN naming the port. */
  static open(path: string, baud: number): Promise<LinuxUart> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: baud, dataBits: 8, stopBits: 1, parity: 'none', autoOpen: false, hupcl: false });
      port.open((err) => {
        if (err) {
          reject(new KabosuError('KBS_E_UART_OPEN', `cannot open UART ${path}: ${err.message}`, { hint: 'check the device exists and kabosu may read and write it', context: { path }, cause: err }));
          return;
        }
        resolve(new LinuxUart(port, baud, path));
      });
    });
  }

  get baud(): number {
    return this.currentBaud;
  }

  write(buf: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new KabosuError('KBS_E_HAL_CLOSED', `write on closed UART ${this.path}`, { canceled: true }));
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(buf), (err) => {
        if (err) return reject(new KabosuError('KBS_E_UART_WRITE', `write to ${this.path} failed: ${err.message}`, { cause: err, context: { path: this.path } }));
        this.port.drain((e) => (e ? reject(new KabosuError('KBS_E_UART_WRITE', `drain of ${this.path} failed: ${e.message}`, { cause: e })) : resolve()));
      });
    });
  }

  on(event: 'data' | 'error' | 'close', fn: Listener): void {
    this.port.on(event, fn as (...a: unknown[]) => void);
  }

  off(event: 'data' | 'error' | 'close', fn: Listener): void {
    this.port.off(event, fn as (...a: unknown[]) => void);
  }

  setBaud(baud: number): Promise<void> {
    if (!Number.isFinite(baud) || baud <= 0) return Promise.reject(new KabosuError('KBS_E_UART_BAUD', `invalid baud rate ${baud}`, { hint: 'use a termios rate such as 115200 or 3000000' }));
    return new Promise((resolve, reject) => {
      this.port.update({ baudRate: baud }, (err) => {
        if (err) return reject(new KabosuError('KBS_E_UART_BAUD', `cannot set ${this.path} to ${baud} baud: ${err.message}`, { cause: err, context: { path: this.path, baud } }));
        this.currentBaud = baud;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
