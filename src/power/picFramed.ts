import type { Logger } from 'pino';
import type { Clock, I2cBus, TimerHandle } from '../hal/types';
import { HEARTBEAT_INTERVAL_MS, PIC_CMD, RegulatorError } from './picOld';
import { encodeFramed, parseAck, parseDataReply, type FramedReply } from './picFramedCodec';

/**
 * The L7 hash-board PIC1704, framed API (chips.md §10.2): the same commands as the old API
 * (0x10 set voltage `[code, 0, 0]`, 0x15 DC-DC on/off, 0x16 heartbeat, 0x17 version) in
 * checksummed frames, one byte per I2C write, replies read byte by byte. Voltage readback: the
 * heartbeat reply's data `[dc-dc on, code]` (the simulator's layout; the stock sources are silent).
 */
export interface PicFramedOptions {
  bus: I2cBus;
  address: number;
  chain: number;
  clock: Clock;
  log: Logger;
  codeOffsetV: number;
  codeSlopeV: number;
}

export class PicFramedRegulator {
  private heartbeat?: TimerHandle;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: PicFramedOptions) {}

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private fail(cmd: number, why: string, cause?: unknown): RegulatorError {
    return new RegulatorError('KBS_E_POWER_PIC', `chain ${this.o.chain}: framed PIC at 0x${this.o.address.toString(16)}, command 0x${cmd.toString(16)}: ${why}`, {
      hint: 'check the hash board is seated and the controller I2C bus works; the board stays unpowered',
      context: { chain: this.o.chain, address: this.o.address, cmd },
      cause,
    });
  }

  private command(cmd: number, data: number[], replyBytes: number, parse: (b: number[]) => FramedReply): Promise<number[]> {
    return this.exclusive(async () => {
      const reply: number[] = [];
      try {
        for (const b of encodeFramed(cmd, data)) await this.o.bus.sendByte(this.o.address, b);
        for (let i = 0; i < replyBytes; i++) reply.push(await this.o.bus.receiveByte(this.o.address));
      } catch (err) {
        throw this.fail(cmd, (err as Error).message, err);
      }
      const r = parse(reply);
      if (!r.ok) throw this.fail(cmd, r.problem);
      return r.data;
    });
  }

  private write(cmd: number, data: number[]): Promise<number[]> {
    return this.command(cmd, data, 2, (b) => parseAck(cmd, b));
  }

  codeFor(volts: number): number {
    const code = Math.round((volts - this.o.codeOffsetV) / this.o.codeSlopeV);
    if (!(code >= 0 && code <= 0xfe)) throw new RegulatorError('KBS_E_POWER_RANGE', `chain ${this.o.chain}: ${volts} V is outside the PIC's range`, { context: { chain: this.o.chain, volts } });
    return code;
  }

  voltsFor(code: number): number {
    return this.o.codeOffsetV + this.o.codeSlopeV * code;
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
    if (on) this.startHeartbeat();
    else this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = this.o.clock.setInterval(() => {
      this.sendHeartbeat().catch((err: Error) => this.o.log.warn({ chain: this.o.chain, err: err.message }, 'PIC heartbeat failed'));
    }, HEARTBEAT_INTERVAL_MS);
  }

  stopHeartbeat(): void {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
  }
}
