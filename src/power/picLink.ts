import type { Logger } from 'pino';
import type { Clock, I2cBus, TimerHandle } from '../hal/types';
import { KabosuError } from '../core/errors';

/**
 * What the L3+ (old byte API) and L7 (framed API) PIC drivers share: the PIC parses one byte
 * stream, so transfers are serialised; bytes go one per I2C write and replies come one per I2C
 * read; the voltage code maps linearly to volts per the board definition; and a powered board
 * needs a heartbeat every 10 s or the PIC cuts its DC-DC (stock HEART_BEAT_TIME_GAP).
 */
export class RegulatorError extends KabosuError {}

export const HEARTBEAT_INTERVAL_MS = 10_000;

export interface PicOptions {
  bus: I2cBus;
  address: number;
  chain: number;
  clock: Clock;
  log: Logger;
  /** V = codeOffsetV + codeSlopeV x code */
  codeOffsetV: number;
  codeSlopeV: number;
}

export class PicLink {
  private heartbeat?: TimerHandle;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly o: PicOptions) {}

  /** Writes `bytes` then reads `replyBytes`, after any transfer already under way. */
  transfer(bytes: readonly number[], replyBytes: number): Promise<number[]> {
    const run = this.queue.then(async () => {
      for (const b of bytes) await this.o.bus.sendByte(this.o.address, b);
      const out: number[] = [];
      for (let i = 0; i < replyBytes; i++) out.push(await this.o.bus.receiveByte(this.o.address));
      return out;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  codeFor(volts: number): number {
    const code = Math.round((volts - this.o.codeOffsetV) / this.o.codeSlopeV);
    if (!(code >= 0 && code <= 0xfe)) {
      throw new RegulatorError('KBS_E_POWER_RANGE', `chain ${this.o.chain}: ${volts.toFixed(3)} V is outside the PIC's range`, { context: { chain: this.o.chain, volts } });
    }
    return code;
  }

  voltsFor(code: number): number {
    return this.o.codeOffsetV + this.o.codeSlopeV * code;
  }

  /** Heartbeats every 10 s while the board is on; failures are logged (the PIC then cuts power). */
  startHeartbeat(send: () => Promise<unknown>): void {
    if (this.heartbeat) return;
    this.heartbeat = this.o.clock.setInterval(() => {
      send().catch((err: Error) => this.o.log.warn({ chain: this.o.chain, err: err.message }, 'PIC heartbeat failed'));
    }, HEARTBEAT_INTERVAL_MS);
  }

  stopHeartbeat(): void {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
  }
}
