/**
 * Reads a TMP451-class sensor (chips.md §10.3): remote (chip die) 0x01/0x10 and local (PCB)
 * 0x00/0x15, standard format: high byte whole °C, low byte bits 7..4 in 1/16 °C. On the L3+
 * the bus is the I2C master of a sensor chip (GENERAL_IIC passthrough); the sim's
 * `sensorBuses[chain][k]` models exactly that bus.
 */
import { KabosuError } from '../core/errors';
import type { I2cBus } from '../hal/types';

export const TMP451_ADDRESS = 0x4c;

export interface Tmp451Reading {
  remoteC: number;
  localC: number;
}

export function decodeTmp451(high: number, low: number): number {
  if (!Number.isInteger(high) || high < 0 || high > 255 || !Number.isInteger(low) || low < 0 || low > 255) {
    throw new KabosuError('KBS_E_THERMAL_BAD_READING', `TMP451 register bytes out of range (${high}, ${low})`);
  }
  return high + (low >> 4) / 16;
}

export async function readTmp451(bus: I2cBus, address = TMP451_ADDRESS): Promise<Tmp451Reading> {
  try {
    // Issued together, run in this order (the I2cBus contract): high bytes before the low bytes
    // they latch, and one round trip instead of four where the bus is remote.
    const [rh, rl, lh, ll] = await Promise.all([bus.readByte(address, 0x01), bus.readByte(address, 0x10), bus.readByte(address, 0x00), bus.readByte(address, 0x15)]);
    return { remoteC: decodeTmp451(rh, rl), localC: decodeTmp451(lh, ll) };
  } catch (err) {
    if (err instanceof KabosuError && err.code === 'KBS_E_THERMAL_BAD_READING') throw err;
    throw new KabosuError('KBS_E_THERMAL_SENSOR_READ', `TMP451 at 0x${address.toString(16)} did not answer`, { cause: err, hint: 'check the hash board connection' });
  }
}
