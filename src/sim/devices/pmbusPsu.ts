/**
 * PSU telemetry over PMBus (PMBus 1.2 part II): READ_VIN 0x88, READ_IIN 0x89, READ_VOUT 0x8B,
 * READ_IOUT 0x8C, READ_POUT 0x96, READ_PIN 0x97 as SMBus words; VOUT in LINEAR16 with the
 * exponent in VOUT_MODE 0x20, the rest in LINEAR11. PMBUS_REVISION 0x98 reads 0x22. The stock
 * L3+/L7 PSUs have no such telemetry (board/README.md): this is the simulator's optional add-on.
 * Faults: `present = false` (absent).
 */
import { DeviceRefused } from '../../hal/sim/i2c';
import type { I2cWireDevice } from '../../hal/sim/i2c';

const VOUT_MODE_EXP = -9; // LINEAR16 exponent: 1/512 V per LSB

export interface PsuReadings {
  vinV: number;
  voutV: number;
  /** Wall (input) power. */
  pinW: number;
  /** DC output power. */
  poutW: number;
}

/** PMBus is command-based, not a register array: a write selects the command, a read returns its data. */
export class PmbusPsu implements I2cWireDevice {
  private command = -1;
  present = true;

  constructor(private readonly readings: () => PsuReadings) {}

  write(data: Uint8Array): void {
    if (!this.present) throw new DeviceRefused('device absent');
    if (data.length === 0) return;
    if (data.length > 1) throw new DeviceRefused(`command 0x${data[0]!.toString(16)} is read-only`);
    if (this.value(data[0]!) === undefined) throw new DeviceRefused(`unsupported PMBus command 0x${data[0]!.toString(16)}`);
    this.command = data[0]!;
  }

  read(length: number): Buffer {
    if (!this.present) throw new DeviceRefused('device absent');
    const v = this.value(this.command);
    if (v === undefined) throw new DeviceRefused('no PMBus command selected');
    const out = Buffer.alloc(length);
    // Words go low byte first (SMBus read word); bytes past the data read as 0xFF.
    for (let i = 0; i < length; i++) out[i] = i < v.size ? (v.word >> (8 * i)) & 0xff : 0xff;
    return out;
  }

  private value(cmd: number): { word: number; size: number } | undefined {
    const r = this.readings();
    const w = (word: number): { word: number; size: number } => ({ word, size: 2 });
    switch (cmd) {
      case 0x20:
        return { word: VOUT_MODE_EXP & 0x1f, size: 1 };
      case 0x88:
        return w(linear11(r.vinV));
      case 0x89:
        return w(linear11(r.vinV > 0 ? r.pinW / r.vinV : 0));
      case 0x8b:
        return w(Math.round(r.voutV * 2 ** -VOUT_MODE_EXP) & 0xffff);
      case 0x8c:
        return w(linear11(r.voutV > 0 ? r.poutW / r.voutV : 0));
      case 0x96:
        return w(linear11(r.poutW));
      case 0x97:
        return w(linear11(r.pinW));
      case 0x98:
        return { word: 0x22, size: 1 };
      default:
        return undefined;
    }
  }
}

/** LINEAR11: 5-bit two's-complement exponent, 11-bit two's-complement mantissa. */
export function linear11(value: number): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  let exp = -16;
  while (exp < 15 && Math.abs(value / 2 ** exp) > 1023) exp++;
  const mant = Math.max(-1024, Math.min(1023, Math.round(value / 2 ** exp)));
  return ((exp & 0x1f) << 11) | (mant & 0x7ff);
}

export function decodeLinear11(word: number): number {
  const exp = ((word >> 11) & 0x1f) << 27 >> 27;
  const mant = (word & 0x7ff) << 21 >> 21;
  return mant * 2 ** exp;
}
