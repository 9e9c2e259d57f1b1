import { PicLink, RegulatorError, type PicOptions } from './picLink';

export { HEARTBEAT_INTERVAL_MS, RegulatorError } from './picLink';

/**
 * The L3+ hash-board PIC16F1704, old byte API (software version 0x03; chips.md §10.1): every
 * command is 55 AA <cmd> <args>, one byte per I2C write; replies are read one byte per I2C read.
 * It owns the board's DC-DC: ENABLE_VOLTAGE turns it on/off, SET_VOLTAGE takes a code
 * (higher code = lower voltage; V = offset + slope x code per the board definition), and it
 * must get a heartbeat every 10 s or it cuts the power (stock HEART_BEAT_TIME_GAP).
 */
export const PIC_CMD = {
  SET_VOLTAGE: 0x10,
  ENABLE_VOLTAGE: 0x15,
  SEND_HEART_BEAT: 0x16,
  READ_PIC_SOFTWARE_VERSION: 0x17,
  GET_VOLTAGE: 0x18,
} as const;

export type PicOldOptions = PicOptions;

export class PicOldRegulator {
  private readonly link: PicLink;

  constructor(private readonly o: PicOldOptions) {
    this.link = new PicLink(o);
  }

  private async command(cmd: number, args: number[] = [], replyBytes = 0): Promise<number[]> {
    try {
      return await this.link.transfer([0x55, 0xaa, cmd, ...args], replyBytes);
    } catch (err) {
      throw new RegulatorError('KBS_E_POWER_PIC', `chain ${this.o.chain}: PIC at 0x${this.o.address.toString(16)} did not take command 0x${cmd.toString(16)}: ${(err as Error).message}`, {
        hint: 'check the hash board is seated and the controller I2C bus works; the board stays unpowered',
        context: { chain: this.o.chain, address: this.o.address, cmd },
        cause: err,
      });
    }
  }

  async softwareVersion(): Promise<number> {
    return (await this.command(PIC_CMD.READ_PIC_SOFTWARE_VERSION, [], 1))[0];
  }

  codeFor(volts: number): number {
    return this.link.codeFor(volts);
  }

  voltsFor(code: number): number {
    return this.link.voltsFor(code);
  }

  async setVoltage(volts: number): Promise<number> {
    const code = this.codeFor(volts);
    await this.command(PIC_CMD.SET_VOLTAGE, [code]);
    return this.voltsFor(code);
  }

  async readVoltage(): Promise<number> {
    return this.voltsFor((await this.command(PIC_CMD.GET_VOLTAGE, [], 1))[0]);
  }

  async enable(on: boolean): Promise<void> {
    await this.command(PIC_CMD.ENABLE_VOLTAGE, [on ? 1 : 0]);
    if (on) this.link.startHeartbeat(() => this.sendHeartbeat());
    else this.link.stopHeartbeat();
  }

  async sendHeartbeat(): Promise<void> {
    await this.command(PIC_CMD.SEND_HEART_BEAT);
  }

  stopHeartbeat(): void {
    this.link.stopHeartbeat();
  }
}
