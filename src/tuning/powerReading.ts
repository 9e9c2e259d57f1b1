/**
 * Wall power for the tuner behind `PowerReading` (types.ts), so the source can be swapped when
 * src/power gains readback and estimation: here the PSU's PMBus READ_PIN (0x97, LINEAR11 W),
 * the PSU telemetry the board definition names, averaged over the readings since the last call.
 */
import type { I2cBus } from '../hal/types';
import type { PowerReading } from './types';

export const PMBUS_READ_PIN = 0x97;

/** PMBus LINEAR11: 5-bit two's-complement exponent, 11-bit two's-complement mantissa. */
export function decodeLinear11(word: number): number {
  const w = word & 0xffff;
  let exp = w >> 11;
  if (exp > 15) exp -= 32;
  let mant = w & 0x7ff;
  if (mant > 1023) mant -= 2048;
  return mant * Math.pow(2, exp);
}

export class PmbusPowerReading implements PowerReading {
  constructor(
    private readonly bus: I2cBus,
    private readonly address: number,
  ) {}

  async wallPowerW(): Promise<number | null> {
    try {
      const w = decodeLinear11(await this.bus.readWord(this.address, PMBUS_READ_PIN));
      return Number.isFinite(w) && w >= 0 ? w : null;
    } catch {
      return null; // PSU absent or not answering: the tuner works without power readings
    }
  }
}
