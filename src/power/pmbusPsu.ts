import type { I2cBus } from '../hal/types';
import { KabosuError } from '../core/errors';

/**
 * PSU telemetry over PMBus (PMBus 1.2 part II §7-8; chips.md PMBus PSU): READ_VIN 0x88,
 * READ_IIN 0x89, READ_VOUT 0x8B (LINEAR16, exponent in VOUT_MODE 0x20), READ_IOUT 0x8C,
 * READ_POUT 0x96, READ_PIN 0x97 (LINEAR11), each an SMBus read-word.
 */
export const PMBUS = { VOUT_MODE: 0x20, READ_VIN: 0x88, READ_IIN: 0x89, READ_VOUT: 0x8b, READ_IOUT: 0x8c, READ_POUT: 0x96, READ_PIN: 0x97 } as const;

export interface PsuReading {
  vinV: number;
  iinA: number;
  voutV: number;
  ioutA: number;
  poutW: number;
  pinW: number;
}

/** LINEAR11 word -> value: 5-bit two's-complement exponent, 11-bit two's-complement mantissa. */
export function decodeLinear11(word: number): number {
  const w = word & 0xffff;
  const exp = (((w >> 11) & 0x1f) << 27) >> 27;
  const mant = ((w & 0x7ff) << 21) >> 21;
  return mant * 2 ** exp;
}

/** LINEAR16 word with the VOUT_MODE byte's 5-bit exponent. */
export function decodeLinear16(word: number, voutMode: number): number {
  const exp = ((voutMode & 0x1f) << 27) >> 27;
  return (word & 0xffff) * 2 ** exp;
}

export class PsuError extends KabosuError {}

export class PmbusPsu {
  constructor(private readonly bus: I2cBus, private readonly address: number) {}

  async read(): Promise<PsuReading> {
    try {
      const mode = await this.bus.readByte(this.address, PMBUS.VOUT_MODE);
      const w = (cmd: number) => this.bus.readWord(this.address, cmd);
      return {
        vinV: decodeLinear11(await w(PMBUS.READ_VIN)),
        iinA: decodeLinear11(await w(PMBUS.READ_IIN)),
        voutV: decodeLinear16(await w(PMBUS.READ_VOUT), mode),
        ioutA: decodeLinear11(await w(PMBUS.READ_IOUT)),
        poutW: decodeLinear11(await w(PMBUS.READ_POUT)),
        pinW: decodeLinear11(await w(PMBUS.READ_PIN)),
      };
    } catch (err) {
      throw new PsuError('KBS_E_POWER_PSU', `PSU at 0x${this.address.toString(16)} did not answer PMBus: ${(err as Error).message}`, {
        hint: 'a stock PSU has no telemetry; if this one should, check its I2C cable',
        context: { address: this.address },
        cause: err,
      });
    }
  }
}
