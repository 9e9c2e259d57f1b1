/**
 * A sensor chip's I2C master (chips.md §3.1 GENERAL_IIC 0x1C, EXT_TEMP_SENSOR 0x44, §10.3, §14.16):
 * a GENERAL_IIC write with regaddr_valid starts one transfer on the chip's bus (busy bit 7 of
 * byte0 set until it completes; rw_fail bit 6 on a NACK); autoreadtemp makes the chip poll the
 * sensor's local (0x00) and remote (0x01) registers into 0x44 (byte1 local, byte3 remote).
 * The layout is BM1485's; kabosu applies it to every family (BM1489's is undocumented).
 */
import type { I2cBus } from '../../hal/types';

export const REG_GENERAL_IIC = 0x1c;
export const REG_EXT_TEMP = 0x44;
const BUSY = 0x80;
const FAIL = 0x40;
const AUTO = 0x02;
const VALID = 0x01;

export interface ChipSensor {
  chipAddress: number;
  i2cAddress: number;
  bus: I2cBus;
}

export interface IicRegs {
  set(reg: number, value: number): void;
}

/** Starts the transfer a GENERAL_IIC write asks for; returns true when auto-read was switched on. */
export function startIic(value: number, sensor: ChipSensor | undefined, regs: IicRegs): boolean {
  const b0 = (value >>> 24) & 0xff;
  const b1 = (value >>> 16) & 0xff;
  const reg = (value >>> 8) & 0xff;
  const data = value & 0xff;
  const compose = (flags: number, d: number) => ((((b0 & 0x3f) | flags) << 24) | (b1 << 16) | (reg << 8) | (d & 0xff)) >>> 0;
  if (b0 & VALID) {
    if (!sensor) {
      regs.set(REG_GENERAL_IIC, compose(FAIL, data));
    } else {
      regs.set(REG_GENERAL_IIC, compose(BUSY, data));
      const dev = b1 >> 1;
      const op = b1 & 1 ? sensor.bus.writeByte(dev, reg, data).then(() => data) : sensor.bus.readByte(dev, reg);
      op.then(
        (d) => regs.set(REG_GENERAL_IIC, compose(0, d)),
        () => regs.set(REG_GENERAL_IIC, compose(FAIL, data)),
      );
    }
  }
  return (b0 & AUTO) !== 0 && sensor !== undefined;
}

/** One auto-read round: local and remote temperature into EXT_TEMP_SENSOR. */
export function autoReadTemp(sensor: ChipSensor, regs: IicRegs): void {
  Promise.all([sensor.bus.readByte(sensor.i2cAddress, 0x00), sensor.bus.readByte(sensor.i2cAddress, 0x01)]).then(
    ([local, remote]) => regs.set(REG_EXT_TEMP, (((local & 0xff) << 16) | (remote & 0xff)) >>> 0),
    () => undefined,
  );
}
