/**
 * The simulator's I2C bus (conventions 2.6.1): devices attach at 7-bit addresses and see the
 * bus at the wire level, as write and read transactions. SMBus operations map to transactions
 * the way Linux's i2c-dev does (i2c-bus API shape):
 *   writeByte(a, r, v)  -> write [r, v]          readByte(a, r)      -> write [r], read 1
 *   writeWord(a, r, w)  -> write [r, lo, hi]     readWord(a, r)      -> write [r], read 2 (lo, hi)
 *   writeBlock(a, r, d) -> write [r, ...d]       readBlock(a, r, n)  -> write [r], read n
 *   sendByte(a, b)      -> write [b]             receiveByte(a)      -> read 1
 * An absent address, or a device that refuses a transaction, is a NACK: the promise rejects
 * with KBS_E_I2C_NACK (Linux reports EREMOTEIO/ENXIO). After close() every call rejects.
 */
import type { I2cBus } from '../types';
import { KabosuError } from '../../core/errors';

/** A device on the bus, seen at the wire level. Throw I2cNack to refuse a transaction. */
export interface I2cWireDevice {
  write(data: Uint8Array): void;
  read(length: number): Buffer;
}

export class I2cNack extends KabosuError {
  constructor(bus: string, addr: number, why: string) {
    super('KBS_E_I2C_NACK', `i2c ${bus}: no acknowledge from 0x${addr.toString(16).padStart(2, '0')} (${why})`, {
      hint: 'check the device address and that the board is plugged in and powered',
      context: { bus, addr },
    });
  }
}

/** Thrown by devices to refuse a transaction; the bus turns it into an I2cNack with its address. */
export class DeviceRefused extends Error {}

export class SimI2cBus implements I2cBus {
  private readonly devices = new Map<number, I2cWireDevice>();
  private closed = false;
  /** Transactions seen (for diagnostics and benches). */
  transactions = 0;

  constructor(readonly name: string) {}

  attach(addr: number, device: I2cWireDevice): void {
    checkAddr(addr);
    if (this.devices.has(addr)) throw new RangeError(`i2c ${this.name}: address 0x${addr.toString(16)} already in use`);
    this.devices.set(addr, device);
  }

  detach(addr: number): I2cWireDevice | undefined {
    const d = this.devices.get(addr);
    this.devices.delete(addr);
    return d;
  }

  has(addr: number): boolean {
    return this.devices.has(addr);
  }

  /** Raw write transaction (i2c-bus i2cWrite). */
  async i2cWrite(addr: number, data: Uint8Array): Promise<void> {
    this.txWrite(addr, data);
  }

  /** Raw read transaction (i2c-bus i2cRead). */
  async i2cRead(addr: number, length: number): Promise<Buffer> {
    return this.txRead(addr, length);
  }

  async sendByte(addr: number, value: number): Promise<void> {
    this.txWrite(addr, Uint8Array.of(checkByte(value)));
  }

  async receiveByte(addr: number): Promise<number> {
    return this.txRead(addr, 1)[0]!;
  }

  async readByte(addr: number, reg: number): Promise<number> {
    this.txWrite(addr, Uint8Array.of(checkByte(reg)));
    return this.txRead(addr, 1)[0]!;
  }

  async writeByte(addr: number, reg: number, value: number): Promise<void> {
    this.txWrite(addr, Uint8Array.of(checkByte(reg), checkByte(value)));
  }

  async readWord(addr: number, reg: number): Promise<number> {
    this.txWrite(addr, Uint8Array.of(checkByte(reg)));
    const b = this.txRead(addr, 2);
    return b[0]! | (b[1]! << 8);
  }

  async writeWord(addr: number, reg: number, value: number): Promise<void> {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw badArg(`word ${value} is not in 0..0xffff`);
    this.txWrite(addr, Uint8Array.of(checkByte(reg), value & 0xff, value >> 8));
  }

  async readBlock(addr: number, reg: number, length: number): Promise<Buffer> {
    if (!Number.isInteger(length) || length < 0 || length > 32) throw badArg(`block length ${length} is not in 0..32`);
    this.txWrite(addr, Uint8Array.of(checkByte(reg)));
    return this.txRead(addr, length);
  }

  async writeBlock(addr: number, reg: number, data: Uint8Array): Promise<void> {
    if (data.length > 32) throw badArg(`block length ${data.length} is over 32`);
    const buf = new Uint8Array(data.length + 1);
    buf[0] = checkByte(reg);
    buf.set(data, 1);
    this.txWrite(addr, buf);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private device(addr: number): I2cWireDevice {
    if (this.closed) throw new KabosuError('KBS_E_HAL_CLOSED', `i2c ${this.name} is closed`, { canceled: true });
    checkAddr(addr);
    const d = this.devices.get(addr);
    if (!d) throw new I2cNack(this.name, addr, 'no device');
    return d;
  }

  private txWrite(addr: number, data: Uint8Array): void {
    const d = this.device(addr);
    this.transactions++;
    try {
      d.write(data);
    } catch (e) {
      if (e instanceof DeviceRefused) throw new I2cNack(this.name, addr, e.message);
      throw e;
    }
  }

  private txRead(addr: number, length: number): Buffer {
    const d = this.device(addr);
    this.transactions++;
    try {
      return d.read(length);
    } catch (e) {
      if (e instanceof DeviceRefused) throw new I2cNack(this.name, addr, e.message);
      throw e;
    }
  }
}

function badArg(msg: string): KabosuError {
  return new KabosuError('KBS_E_I2C_ARG', msg, { hint: 'SMBus registers and values are bytes; blocks are at most 32 bytes' });
}

function checkAddr(addr: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr > 0x7f) throw badArg(`address ${addr} is not a 7-bit I2C address`);
}

function checkByte(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw badArg(`byte ${v} is not in 0..0xff`);
  return v;
}
