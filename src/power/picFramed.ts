import { PIC_CMD } from './picOld';
import { PicLink, RegulatorError, type PicOptions } from './picLink';
import { encodeFramed, parseAck, parseDataReply, type FramedReply } from './picFramedCodec';

/**
 * The L7 hash-board PIC1704, framed API (chips.md §10.2): the same commands as the old API
 * (0x10 set voltage `[code, 0, 0]`, 0x15 DC-DC on/off, 0x16 heartbeat, 0x17 version) in
 * checksummed frames, one byte per I2C write, replies read byte by byte. Voltage readback: the
 * heartbeat reply's data `[dc-dc on, code]` (the simulator's layout; the stock sources are silent).
 */
export type PicFramedOptions = PicOptions;

export class PicFramedRegulator {
  private readonly link: PicLink;

  constructor(private readonly o: PicFramedOptions) {
    this.link = new PicLink(o);
  }

  private fail(cmd: number, why: string, cause?: unknown): RegulatorError {
    return new RegulatorError('KBS_E_POWER_PIC', `chain ${this.o.chain}: framed PIC at 0x${this.o.address.toString(16)}, command 0x${cmd.toString(16)}: ${why}`, {
      hint: 'check the hash board is seated and the controller I2C bus works; the board stays unpowered',
      context: { chain: this.o.chain, address: this.o.address, cmd },
      cause,
    });
  }

  private async command(cmd: number, data: number[], replyBytes: number, parse: (b: number[]) => FramedReply): Promise<number[]> {
    let reply: number[];
    try {
      reply = await this.link.transfer(encodeFramed(cmd, data), replyBytes);
    } catch (err) {
      throw this.fail(cmd, (err as Error).message, err);
    }
    const r = parse(reply);
    if (!r.ok) throw this.fail(cmd, r.problem);
    return r.data;
  }

  private write(cmd: number, data: number[]): Promise<number[]> {
    return this.command(cmd, data, 2, (b) => parseAck(cmd, b));
  }

  codeFor(volts: number): number {
    return this.link.codeFor(volts);
  }

  voltsFor(code: number): number {
    return this.link.voltsFor(code);
  }

  async softwareVersion(): Promise<number> {
    return (await this.command(PIC_CMD.READ_PIC_SOFTWARE_VERSION, [], 5, (b) => parseDataReply(PIC_CMD.READ_PIC_SOFTWARE_VERSION, 1, b)))[0];
  }

  async setVoltage(volts: number): Promise<number> {
    const code = this.codeFor(volts);
    await this.write(PIC_CMD.SET_VOLTAGE, [code, 0, 0]);
    return this.voltsFor(code);
  }

  /** Heartbeat + readback in one: `[dc-dc on, code]`. */
  async sendHeartbeat(): Promise<{ on: boolean; code: number }> {
    const [on, code] = await this.command(PIC_CMD.SEND_HEART_BEAT, [], 6, (b) => parseDataReply(PIC_CMD.SEND_HEART_BEAT, 2, b));
    return { on: on === 1, code };
  }

  async readVoltage(): Promise<number> {
    return this.voltsFor((await this.sendHeartbeat()).code);
  }

  async enable(on: boolean): Promise<void> {
    await this.write(PIC_CMD.ENABLE_VOLTAGE, [on ? 1 : 0]);
    if (on) this.link.startHeartbeat(() => this.sendHeartbeat());
    else this.link.stopHeartbeat();
  }

  stopHeartbeat(): void {
    this.link.stopHeartbeat();
  }
}
