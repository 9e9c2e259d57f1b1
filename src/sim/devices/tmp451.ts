/**
 * TMP451-class remote/local temperature sensor (chips.md §10.3, §14.16): local = the sensor's own
 * die, which sits on the PCB (board temperature); remote = the diode of the hash chip it is
 * wired to, plus the offset register. Standard (0..127 °C) binary format: high byte whole
 * degrees, low byte bits 7..4 in 1/16 °C.
 *
 * Registers: 0x00 local high, 0x15 local low, 0x01 remote high, 0x10 remote low, 0x02 status,
 * 0x03/0x09 configuration (read/write pair), 0x11/0x12 remote offset high/low (two's complement),
 * 0xFE manufacturer id (0x55).
 *
 * Faults: `stuck` freezes the readings at their values when set; `implausibleC` reports a fixed
 * value (default 0 °C, which the stock driver treats as a failed sensor); `present = false`
 * makes it vanish from the bus.
 */
import { RegisterDevice } from './registerDevice';

const READABLE = new Set([0x00, 0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x15, 0xfe]);
const WRITABLE = new Set([0x09, 0x11, 0x12]);

export class Tmp451 extends RegisterDevice {
  private config = 0x00;
  private offsetHigh = 0;
  private offsetLow = 0;
  private frozen: { local: number; remote: number } | null = null;
  implausibleC: number | null = null;

  constructor(
    private readonly localC: () => number,
    private readonly remoteC: () => number,
  ) {
    super(READABLE, WRITABLE);
  }

  /** Freeze (true) or release (false) the readings. */
  set stuck(on: boolean) {
    this.frozen = on ? { local: this.localC(), remote: this.remoteC() } : null;
  }

  get stuck(): boolean {
    return this.frozen !== null;
  }

  /** What the sensor measures now, as °C (before register encoding). */
  readingC(): { local: number; remote: number } {
    if (this.implausibleC !== null) return { local: this.implausibleC, remote: this.implausibleC };
    const base = this.frozen ?? { local: this.localC(), remote: this.remoteC() };
    const offset = (((this.offsetHigh << 8) | this.offsetLow) << 16 >> 16) / 256;
    return { local: base.local, remote: base.remote + offset };
  }

  protected readReg(reg: number): number {
    const t = this.readingC();
    switch (reg) {
      case 0x00:
        return encode(t.local).high;
      case 0x15:
        return encode(t.local).low;
      case 0x01:
        return encode(t.remote).high;
      case 0x10:
        return encode(t.remote).low;
      case 0x02:
        return 0x00; // not busy, no alerts, remote diode connected
      case 0x03:
        return this.config;
      case 0x11:
        return this.offsetHigh;
      case 0x12:
        return this.offsetLow & 0xf0;
      case 0xfe:
        return 0x55;
      default:
        return 0;
    }
  }

  protected writeReg(reg: number, value: number): void {
    if (reg === 0x09) this.config = value;
    else if (reg === 0x11) this.offsetHigh = value;
    else if (reg === 0x12) this.offsetLow = value & 0xf0;
  }
}

/** Standard-range encoding: clamps to 0..127.9375 °C. */
export function encode(tempC: number): { high: number; low: number } {
  const sixteenths = Math.round(Math.min(127.9375, Math.max(0, tempC)) * 16);
  return { high: sixteenths >> 4, low: (sixteenths & 0x0f) << 4 };
}

/** Decodes the high/low register pair (what a driver does). */
export function decodeTmp451(high: number, low: number): number {
  return high + (low >> 4) / 16;
}
