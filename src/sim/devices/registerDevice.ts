/**
 * A byte-register I2C device: the first byte of a write sets the register pointer, further bytes
 * write consecutive registers; a read returns consecutive registers from the pointer. Reading or
 * writing an unpopulated register, or writing a read-only one, is refused (NACK), as the
 * conventions' fake I2C bus requires (2.6.1). Subclasses provide live values through `readReg`.
 */
import { DeviceRefused } from '../../hal/sim/i2c';
import type { I2cWireDevice } from '../../hal/sim/i2c';

export abstract class RegisterDevice implements I2cWireDevice {
  protected pointer = 0;
  /** When false the device ignores the bus (absent). */
  present = true;

  constructor(
    private readonly readable: ReadonlySet<number>,
    private readonly writable: ReadonlySet<number>,
  ) {}

  protected abstract readReg(reg: number): number;
  protected abstract writeReg(reg: number, value: number): void;

  write(data: Uint8Array): void {
    if (!this.present) throw new DeviceRefused('device absent');
    if (data.length === 0) return; // a quick write: address probe
    const start = data[0]!;
    for (let i = 1; i < data.length; i++) {
      const reg = (start + i - 1) & 0xff;
      if (!this.writable.has(reg)) throw new DeviceRefused(`register 0x${reg.toString(16)} is not writable`);
    }
    this.pointer = start;
    for (let i = 1; i < data.length; i++) {
      this.writeReg(this.pointer, data[i]!);
      this.pointer = (this.pointer + 1) & 0xff;
    }
  }

  read(length: number): Buffer {
    if (!this.present) throw new DeviceRefused('device absent');
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) {
      const reg = (this.pointer + i) & 0xff;
      if (!this.readable.has(reg)) throw new DeviceRefused(`register 0x${reg.toString(16)} is not populated`);
      out[i] = this.readReg(reg) & 0xff;
    }
    this.pointer = (this.pointer + length) & 0xff;
    return out;
  }
}
