/**
 * The firmware twin of the simulator's `chipIic` (src/sim/chain/chipIic.ts): an `I2cBus` whose
 * transfers go through a hash chip's I2C master over the chain UART (chips.md §3.1 GENERAL_IIC
 * 0x1C, §10.3): write GENERAL_IIC of the sensor chip with regaddr_valid, device, rw and regaddr,
 * then read GENERAL_IIC back until the busy bit (byte0 bit 7) clears; rw_fail (bit 6) is a
 * NACK; byte3 is the data. Only SMBus byte data exists on this path (what a TMP451 needs).
 *
 * One transfer at a time per chain (`ChipIicPort`): the chain driver takes one register read at
 * a time, and the chip's master has one transfer register.
 */
import { KabosuError } from '../core/errors';
import type { Clock, I2cBus } from '../hal/types';

export const GENERAL_IIC = 0x1c;
const BUSY = 0x80;
const FAIL = 0x40;
const VALID = 0x01;

/** The chain's register access (Chain: writeChip by index, readChip by address). */
export interface ChainRegisters {
  readonly addresses: readonly number[];
  writeChip(chip: number, reg: number, value: number): Promise<void>;
  readChip(address: number, reg: number): Promise<number>;
}

/** GENERAL_IIC word for one transfer (pure): byte0 flags, byte1 device<<1|rw, byte2 reg, byte3 data. */
export function generalIicWord(dev: number, reg: number, write: boolean, data = 0): number {
  return ((VALID << 24) | ((((dev & 0x7f) << 1) | (write ? 1 : 0)) << 16) | ((reg & 0xff) << 8) | (data & 0xff)) >>> 0;
}

/** A chain's I2C passthrough: serialises transfers of every sensor on the chain. */
export class ChipIicPort {
  private tail: Promise<unknown> = Promise.resolve();
  /** Transfers done (benchmarks: UART share). */
  transfers = 0;
  constructor(
    private readonly chain: ChainRegisters,
    private readonly o: { clock: Clock; pollMs?: number; timeoutMs?: number; chainIndex?: number },
  ) {}

  /** An I2cBus through the chip at `chipAddress`. */
  bus(chipAddress: number): I2cBus {
    const unsupported = async (): Promise<never> => {
      throw new KabosuError('KBS_E_I2C_UNSUPPORTED', `chip 0x${chipAddress.toString(16)}'s I2C master does byte-data transfers only`);
    };
    return {
      readByte: (addr, reg) => this.run(chipAddress, addr, reg, false, 0),
      writeByte: (addr, reg, v) => this.run(chipAddress, addr, reg, true, v).then(() => undefined),
      sendByte: unsupported, receiveByte: unsupported, readWord: unsupported, writeWord: unsupported, readBlock: unsupported, writeBlock: unsupported,
      close: async () => undefined,
    };
  }

  private run(chip: number, dev: number, reg: number, write: boolean, data: number): Promise<number> {
    const p = this.tail.then(() => this.transfer(chip, dev, reg, write, data));
    this.tail = p.catch(() => undefined);
    return p;
  }

  private async transfer(chip: number, dev: number, reg: number, write: boolean, data: number): Promise<number> {
    const index = this.chain.addresses.indexOf(chip);
    const where = `chain ${this.o.chainIndex ?? '?'} chip 0x${chip.toString(16)} I2C 0x${dev.toString(16)} reg 0x${reg.toString(16)}`;
    if (index < 0) throw new KabosuError('KBS_E_I2C_PASSTHROUGH', `${where}: the chip is not on the chain (not enumerated yet?)`, { context: { chip } });
    this.transfers++;
    await this.chain.writeChip(index, GENERAL_IIC, generalIicWord(dev, reg, write, data));
    const end = this.o.clock.now() + (this.o.timeoutMs ?? 500);
    for (;;) {
      const r = await this.chain.readChip(chip, GENERAL_IIC);
      const b0 = (r >>> 24) & 0xff;
      if (!(b0 & BUSY)) {
        if (b0 & FAIL) throw new KabosuError('KBS_E_I2C_NACK', `${where}: no acknowledge through the chip's I2C master`, { hint: 'the sensor behind this chip does not answer: check the hash board', context: { chip, dev, reg } });
        return r & 0xff;
      }
      if (this.o.clock.now() >= end) throw new KabosuError('KBS_E_I2C_TIMEOUT', `${where}: the chip's I2C master stayed busy`, { context: { chip, dev, reg } });
      await this.o.clock.sleep(this.o.pollMs ?? 5);
    }
  }
}
