/**
 * The framed PIC API (PIC software >= 0x80; the L7's PIC1704), chips.md §10.2:
 * request `55 AA len cmd data... sum_hi sum_lo` with len = data + 4 (len, cmd, the two sum
 * bytes) and sum = 16-bit sum of len + cmd + data, big-endian. Write commands answer
 * `[cmd, 0x01]`; data commands `[len, cmd, data..., sum_hi, sum_lo]`. Bytes arrive one per I2C
 * write (or in one transaction); replies are read byte by byte. A frame with a bad sum or an
 * unknown command is dropped and counted, and gets no reply.
 *
 * Supported: 0x06 jump to app (busy 500 ms), 0x07 reset (busy 600 ms, DC-DC off), 0x10 set
 * voltage `[code, 0, 0]`, 0x15 enable/disable DC-DC `[0|1]`, 0x16 heartbeat (6-byte reply; the
 * two data bytes are kabosu's choice, as the source is silent: DC-DC state and voltage code),
 * 0x17 software version (5-byte reply). Heartbeat watchdog as the old API (chips.md §17).
 */
import type { Clock } from '../../hal/types';
import { DeviceRefused } from '../../hal/sim/i2c';
import type { PicOptions } from './picOldApi';
import type { RegulatorDevice } from './regulator';

const MAX_LEN = 64;
/** An incomplete frame is abandoned after this long without a byte. */
export const FRAME_TIMEOUT_MS = 1000;

export class PicFramed implements RegulatorDevice {
  private enabledNow = false;
  private codeNow: number;
  private lastHeartbeatMs: number;
  private busyUntilMs = -Infinity;
  private frame: number[] = [];
  private lastByteMs = -Infinity;
  private readonly replies: number[] = [];
  present = true;
  heartbeatTrips = 0;
  framesDropped = 0;
  private readonly clock: Clock;

  constructor(private readonly o: PicOptions) {
    this.clock = o.clock;
    this.codeNow = o.initialCode;
    this.lastHeartbeatMs = o.clock.now();
  }

  get enabled(): boolean {
    return this.enabledNow;
  }

  get code(): number {
    return this.codeNow;
  }

  checkWatchdog(): void {
    if (this.enabledNow && this.clock.now() - this.lastHeartbeatMs >= this.o.heartbeatTimeoutMs) {
      this.heartbeatTrips++;
      this.setOutput(false, this.codeNow);
    }
  }

  write(data: Uint8Array): void {
    this.guard();
    for (const b of data) this.feed(b);
  }

  read(length: number): Buffer {
    this.guard();
    const out = Buffer.alloc(length, 0xff);
    for (let i = 0; i < length && this.replies.length > 0; i++) out[i] = this.replies.shift()!;
    return out;
  }

  private guard(): void {
    if (!this.present) throw new DeviceRefused('PIC not answering');
    if (this.clock.now() < this.busyUntilMs) throw new DeviceRefused('PIC busy');
    this.checkWatchdog();
  }

  private feed(b: number): void {
    const f = this.frame;
    // A frame left incomplete for FRAME_TIMEOUT_MS is abandoned, so a host can always resync
    // by pausing (kabosu's choice; the sources do not say how the PIC resynchronises).
    const now = this.o.clock.now();
    if (f.length > 0 && now - this.lastByteMs > FRAME_TIMEOUT_MS) {
      this.framesDropped++;
      f.length = 0;
    }
    this.lastByteMs = now;
    if (f.length === 0) {
      if (b === 0x55) f.push(b);
      else this.framesDropped++;
      return;
    }
    if (f.length === 1) {
      if (b === 0xaa) f.push(b);
      else {
        this.framesDropped++;
        f.length = 0;
        if (b === 0x55) f.push(b);
      }
      return;
    }
    if (f.length === 2 && (b < 4 || b > MAX_LEN)) {
      this.framesDropped++;
      f.length = 0;
      return;
    }
    f.push(b);
    const len = f[2]!;
    if (f.length < 2 + len) return;
    const body = f.slice(2, 2 + len - 2); // len, cmd, data
    const sum = (f[2 + len - 2]! << 8) | f[2 + len - 1]!;
    f.length = 0;
    if ((body.reduce((s, x) => s + x, 0) & 0xffff) !== sum) {
      this.framesDropped++;
      return;
    }
    this.execute(body[1]!, body.slice(2));
  }

  private execute(cmd: number, data: number[]): void {
    const now = this.clock.now();
    const ack = (): void => {
      this.replies.push(cmd, 0x01);
    };
    switch (cmd) {
      case 0x06:
        ack();
        this.busyUntilMs = now + 500;
        return;
      case 0x07:
        ack();
        this.busyUntilMs = now + 600;
        this.setOutput(false, this.codeNow);
        return;
      case 0x10:
        if (data.length !== 3) break;
        this.setOutput(this.enabledNow, data[0]!);
        ack();
        return;
      case 0x15:
        if (data.length !== 1) break;
        if (data[0] === 1) this.lastHeartbeatMs = now;
        this.setOutput(data[0] === 1, this.codeNow);
        ack();
        return;
      case 0x16:
        if (data.length !== 0) break;
        this.lastHeartbeatMs = now;
        this.dataReply(cmd, [this.enabledNow ? 1 : 0, this.codeNow]);
        return;
      case 0x17:
        if (data.length !== 0) break;
        this.dataReply(cmd, [this.o.softwareVersion]);
        return;
    }
    this.framesDropped++;
  }

  private dataReply(cmd: number, data: number[]): void {
    const len = data.length + 4;
    const sum = [len, cmd, ...data].reduce((s, x) => s + x, 0) & 0xffff;
    this.replies.push(len, cmd, ...data, sum >> 8, sum & 0xff);
  }

  private setOutput(enabled: boolean, code: number): void {
    const changed = enabled !== this.enabledNow || code !== this.codeNow;
    this.enabledNow = enabled;
    this.codeNow = code;
    if (changed) this.o.onOutput?.(enabled, code);
  }
}

/** Builds a framed request (what a driver sends), for tests and tools. */
export function framedRequest(cmd: number, data: number[] = []): number[] {
  const len = data.length + 4;
  const sum = [len, cmd, ...data].reduce((s, x) => s + x, 0) & 0xffff;
  return [0x55, 0xaa, len, cmd, ...data, sum >> 8, sum & 0xff];
}
