/**
 * I2C on Linux through i2c-bus (/dev/i2c-N, SMBus and plain I2C transfers as each device needs).
 * One queue per bus: the L3+ PICs, sensors and PSU share bus 0, and i2c-bus's async calls run
 * on libuv's pool, so calls made without awaiting would otherwise interleave on the wire. Every
 * call has a timeout and a bounded retry (a NAK from a busy PIC is common); the error kept is
 * the first one, named by bus, address and operation.
 *
 * A timed-out call cannot be cancelled in the kernel: its pool thread stays blocked until the
 * adapter gives up (the adapter's own timeout, ~1 s on omap-i2c); the queue moves on.
 */
import { existsSync } from 'node:fs';
import { KabosuError } from '../../core/errors';
import type { I2cBus } from '../types';
import { errnoHint } from './sysfsPaths';

/** The promisified i2c-bus bus (i2c-bus ships no types; only what we call). */
export interface RawI2c {
  sendByte(addr: number, byte: number): Promise<void>;
  receiveByte(addr: number): Promise<number>;
  readByte(addr: number, cmd: number): Promise<number>;
  writeByte(addr: number, cmd: number, byte: number): Promise<void>;
  readWord(addr: number, cmd: number): Promise<number>;
  writeWord(addr: number, cmd: number, word: number): Promise<void>;
  readI2cBlock(addr: number, cmd: number, length: number, buf: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  writeI2cBlock(addr: number, cmd: number, length: number, buf: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }>;
  i2cRead(addr: number, length: number, buf: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  i2cWrite(addr: number, length: number, buf: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }>;
  close(): Promise<void>;
}

export interface LinuxI2cOptions {
  timeoutMs: number;
  /** Extra attempts after a failed call (not after a timeout: a hung bus is not hammered). */
  retries: number;
  retryDelayMs?: number;
}

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

export class LinuxI2cBus implements I2cBus {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly device: string,
    private readonly raw: RawI2c,
    private readonly o: LinuxI2cOptions,
  ) {}

  /** Opens `/dev/i2c-N` (the path must have that form: i2c-bus opens by number). */
  static async open(device: string, o: LinuxI2cOptions): Promise<LinuxI2cBus> {
    const m = /^\/dev\/i2c-(\d+)$/.exec(device);
    if (!m) throw new KabosuError('KBS_E_I2C_DEVICE', `I2C bus '${device}' is not a /dev/i2c-N path`, { hint: 'board definition controller.i2cBuses entries are /dev/i2c-<number>' });
    if (!existsSync(device)) {
      throw new KabosuError('KBS_E_I2C_NO_DEVICE', `I2C bus ${device} does not exist`, {
        hint: `load the i2c-dev module (modprobe i2c-dev) and check that the device-tree overlay enables I2C bus ${m[1]} (overlays/); on a development host without the boards' I2C use hashboards.linux.i2cBridge`,
        context: { device },
      });
    }
    const i2c = require('i2c-bus') as { openPromisified(n: number): Promise<RawI2c> };
    let raw: RawI2c;
    try {
      raw = await i2c.openPromisified(Number(m[1]));
    } catch (err) {
      const errno = (err as NodeJS.ErrnoException).code;
      throw new KabosuError('KBS_E_I2C_OPEN', `cannot open I2C bus ${device}: ${errno ?? (err as Error).message}`, { hint: errnoHint(errno, device), context: { device, errno }, cause: err });
    }
    return new LinuxI2cBus(device, raw, o);
  }

  sendByte(addr: number, value: number): Promise<void> {
    return this.run(addr, `send byte ${hex(value)}`, () => this.raw.sendByte(addr, value));
  }
  receiveByte(addr: number): Promise<number> {
    return this.run(addr, 'receive byte', () => this.raw.receiveByte(addr));
  }
  readByte(addr: number, reg: number): Promise<number> {
    return this.run(addr, `read byte reg ${hex(reg)}`, () => this.raw.readByte(addr, reg));
  }
  writeByte(addr: number, reg: number, value: number): Promise<void> {
    return this.run(addr, `write byte reg ${hex(reg)}`, () => this.raw.writeByte(addr, reg, value));
  }
  readWord(addr: number, reg: number): Promise<number> {
    return this.run(addr, `read word reg ${hex(reg)}`, () => this.raw.readWord(addr, reg));
  }
  writeWord(addr: number, reg: number, value: number): Promise<void> {
    return this.run(addr, `write word reg ${hex(reg)}`, () => this.raw.writeWord(addr, reg, value));
  }
  readBlock(addr: number, reg: number, length: number): Promise<Buffer> {
    return this.run(addr, `read block reg ${hex(reg)} (${length} bytes)`, async () => {
      const r = await this.raw.readI2cBlock(addr, reg, length, Buffer.alloc(length));
      if (r.bytesRead !== length) throw new KabosuError('KBS_E_I2C_SHORT', `read ${r.bytesRead} of ${length} bytes`);
      return r.buffer;
    });
  }
  writeBlock(addr: number, reg: number, data: Uint8Array): Promise<void> {
    return this.run(addr, `write block reg ${hex(reg)} (${data.length} bytes)`, async () => {
      await this.raw.writeI2cBlock(addr, reg, data.length, Buffer.from(data));
    });
  }
  /** Plain I2C read (no register), for devices that are not SMBus. */
  read(addr: number, length: number): Promise<Buffer> {
    return this.run(addr, `i2c read (${length} bytes)`, async () => {
      const r = await this.raw.i2cRead(addr, length, Buffer.alloc(length));
      if (r.bytesRead !== length) throw new KabosuError('KBS_E_I2C_SHORT', `read ${r.bytesRead} of ${length} bytes`);
      return r.buffer;
    });
  }
  /** Plain I2C write (no register). */
  write(addr: number, data: Uint8Array): Promise<void> {
    return this.run(addr, `i2c write (${data.length} bytes)`, async () => {
      await this.raw.i2cWrite(addr, data.length, Buffer.from(data));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail.catch(() => undefined);
    await this.raw.close().catch(() => undefined);
  }

  /** Queues one call on the bus: in call order, with timeout and retry. */
  private run<T>(addr: number, op: string, f: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new KabosuError('KBS_E_HAL_CLOSED', `I2C bus ${this.device} is closed`, { canceled: true }));
    const p = this.tail.then(() => this.attempt(addr, op, f));
    this.tail = p.catch(() => undefined);
    return p;
  }

  private async attempt<T>(addr: number, op: string, f: () => Promise<T>): Promise<T> {
    let first: unknown;
    for (let i = 0; i <= this.o.retries; i++) {
      try {
        return await this.withTimeout(f(), addr, op);
      } catch (err) {
        first ??= err;
        if (err instanceof KabosuError && err.code === 'KBS_E_I2C_TIMEOUT') break;
        if (i < this.o.retries) await new Promise((r) => setTimeout(r, this.o.retryDelayMs ?? 5));
      }
    }
    throw this.named(first, addr, op);
  }

  private withTimeout<T>(p: Promise<T>, addr: number, op: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new KabosuError('KBS_E_I2C_TIMEOUT', `I2C ${this.device} addr ${hex(addr)} ${op}: no answer within ${this.o.timeoutMs} ms`, {
        hint: 'the bus is hung (a device holding SDA low) or the device clock-stretches too long: power-cycle the hash board; check hashboards.linux.i2cTimeoutMs',
        context: { device: this.device, addr, op },
      })), this.o.timeoutMs);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
  }

  private named(err: unknown, addr: number, op: string): KabosuError {
    if (err instanceof KabosuError && err.code === 'KBS_E_I2C_TIMEOUT') return err;
    const errno = (err as NodeJS.ErrnoException | undefined)?.code;
    // ENXIO: an SMBus adapter's address NACK; EREMOTEIO: i2c-omap's (AM335x); ENODEV: i2c-stub's
    // "no chip at this address" (seen on the real kernel in the tools/vm guest, test/vm/halContract).
    const nak = errno === 'ENXIO' || errno === 'EREMOTEIO' || errno === 'EIO' || errno === 'ENODEV';
    return new KabosuError(nak ? 'KBS_E_I2C_NACK' : 'KBS_E_I2C_IO', `I2C ${this.device} addr ${hex(addr)} ${op} failed after ${this.o.retries + 1} attempts: ${errno ?? (err as Error)?.message ?? String(err)}`, {
      hint: nak ? `no device answered at ${hex(addr)}: is the hash board plugged in and powered, and is the address in the board definition right? (i2cdetect -y ${/(\d+)$/.exec(this.device)?.[1] ?? '<bus>'})` : errnoHint(errno, this.device),
      context: { device: this.device, addr, op, errno },
      cause: err,
    });
  }
}
