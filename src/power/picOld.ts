import type { Logger } from 'pino';
import type { Clock, I2cBus, TimerHandle } from '../hal/types';
import { KabosuError } from '../core/errors';

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

export const HEARTBEAT_INTERVAL_MS = 10_000;

export class RegulatorError extends KabosuError {}

export interface PicOldOptions {
  bus: I2cBus;
  address: number;
  chain: number;
  clock: Clock;
  log: Logger;
  /** V = codeOffsetV + codeSlopeV x code */
  codeOffsetV: number;
  codeSlopeV: number;
}

export class PicOldRegulator {
  private heartbeat?: TimerHandle;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: PicOldOptions) {}

  /** Serialises commands: the PIC parses one byte stream, interleaving would garble it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async command(cmd: number, args: number[] = [], replyBytes = 0): Promise<number[]> {
    return this.exclusive(async () => {
      try {
        for (const b of [0x55, 0xaa, cmd, ...args]) await this.o.bus.sendByte(this.o.address, b);
        const out: number[] = [];
        for (let i = 0; i < replyBytes; i++) out.push(await this.o.bus.receiveByte(this.o.address));
        return out;
      } catch (err) {
        throw new RegulatorError('KBS_E_POWER_PIC', `chain ${this.o.chain}: PIC at 0x${this.o.address.toString(16)} did not take command 0x${cmd.toString(16)}: ${(err as Error).message}`, {
          hint: 'check the hash board is seated and the controller I2C bus works; the board stays unpowered',
          context: { chain: this.o.chain, address: this.o.address, cmd },
          cause: err,
        });
      }
    });
  }

  async softwareVersion(): Promise<number> {
    return (await this.command(PIC_CMD.READ_PIC_SOFTWARE_VERSION, [], 1))[0];
  }

  codeFor(volts: number): number {
    const code = Math.round((volts - this.o.codeOffsetV) / this.o.codeSlopeV);
    if (code < 0 || code > 0xfe) {
      throw new RegulatorError('KBS_E_POWER_RANGE', `chain ${this.o.chain}: ${volts.toFixed(3)} V is outside the PIC's range`, { context: { chain: this.o.chain, volts } });
    }
    return code;
  }

  voltsFor(code: number): number {
    return this.o.codeOffsetV + this.o.codeSlopeV * code;
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
    if (on) this.startHeartbeat();
    else this.stopHeartbeat();
  }

  async sendHeartbeat(): Promise<void> {
    await this.command(PIC_CMD.SEND_HEART_BEAT);
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
