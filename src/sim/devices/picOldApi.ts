/**
 * The L3+ hash-board PIC16F1704 with the old byte API, software version 0x03 (chips.md §10.1,
 * §14.15). Every command is `55 AA cmd args...`, which the host sends one byte per I2C write (the
 * device also accepts them in one transaction); replies are read one byte per I2C read. Bytes
 * that do not start a frame are discarded, and an unknown command drops the frame.
 *
 * Power: the DC-DC starts off. ENABLE_VOLTAGE (0x15) 1/0 turns it on/off; SET_VOLTAGE (0x10)
 * stores the code (V = offset + slope x code, from the board definition); GET_VOLTAGE (0x18)
 * reads it back. Heartbeat (chips.md §17): with the DC-DC on and no SEND_HEART_BEAT (0x16) for
 * `heartbeatTimeoutMs` (30 s), the PIC turns the DC-DC off. JUMP_TO_APP (0x06) and RESET_PIC
 * (0x07) make it busy (NACK) for 500/600 ms; RESET_PIC also turns the DC-DC off. Flash commands
 * store into a 4 KiB array so a driver can round-trip them.
 */
import type { Clock } from '../../hal/types';
import { DeviceRefused } from '../../hal/sim/i2c';
import type { RegulatorDevice } from './regulator';

/** An incomplete frame is abandoned after this long without a byte. */
export const FRAME_TIMEOUT_MS = 1000;

/** Argument count per command. */
const COMMANDS: Record<number, { args: number; name: string }> = {
  0x01: { args: 2, name: 'SET_PIC_FLASH_POINTER' },
  0x02: { args: 16, name: 'SEND_DATA_TO_PIC' },
  0x03: { args: 0, name: 'READ_DATA_FROM_PIC_FLASH' },
  0x04: { args: 0, name: 'ERASE_PIC_FLASH' },
  0x05: { args: 0, name: 'WRITE_DATA_INTO_FLASH' },
  0x06: { args: 0, name: 'JUMP_FROM_LOADER_TO_APP' },
  0x07: { args: 0, name: 'RESET_PIC' },
  0x08: { args: 0, name: 'GET_PIC_FLASH_POINTER' },
  0x10: { args: 1, name: 'SET_VOLTAGE' },
  0x11: { args: 6, name: 'SET_VOLTAGE_TIME' },
  0x12: { args: 12, name: 'SET_HASH_BOARD_ID' },
  0x13: { args: 0, name: 'READ_HASH_BOARD_ID' },
  0x14: { args: 12, name: 'SET_HOST_MAC_ADDRESS' },
  0x15: { args: 1, name: 'ENABLE_VOLTAGE' },
  0x16: { args: 0, name: 'SEND_HEART_BEAT' },
  0x17: { args: 0, name: 'READ_PIC_SOFTWARE_VERSION' },
  0x18: { args: 0, name: 'GET_VOLTAGE' },
  0x19: { args: 0, name: 'READ_VOLTAGE_SETTING_TIME' },
  0x20: { args: 1, name: 'READ_WHICH_MAC' },
  0x21: { args: 0, name: 'READ_MAC' },
  0x22: { args: 8, name: 'WR_TEMP_OFFSET_VALUE' },
  0x23: { args: 0, name: 'RD_TEMP_OFFSET_VALUE' },
};

export interface PicOptions {
  clock: Clock;
  heartbeatTimeoutMs: number;
  softwareVersion: number;
  initialCode: number;
  boardId?: Uint8Array;
  /** Called whenever the DC-DC output (enabled or code) changes. */
  onOutput?: (enabled: boolean, code: number) => void;
}

export class PicOldApi implements RegulatorDevice {
  private enabledNow = false;
  private codeNow: number;
  private lastHeartbeatMs: number;
  private busyUntilMs = -Infinity;
  private frame: number[] = [];
  private lastByteMs = -Infinity;
  private readonly replies: number[] = [];
  private readonly flash = Buffer.alloc(4096, 0xff);
  private readonly cache = Buffer.alloc(16, 0xff);
  private flashPointer = 0;
  private boardId: Buffer;
  private mac = Buffer.alloc(12);
  private voltageTime = Buffer.alloc(6);
  private tempOffset = Buffer.alloc(8);
  /** Fault: the PIC does not answer at all. */
  present = true;
  /** Times the heartbeat watchdog cut the DC-DC. */
  heartbeatTrips = 0;
  /** Frames dropped (bad preamble bytes, unknown commands). */
  framesDropped = 0;

  constructor(private readonly o: PicOptions) {
    this.codeNow = o.initialCode;
    this.lastHeartbeatMs = o.clock.now();
    this.boardId = Buffer.from(o.boardId ?? Buffer.alloc(12));
  }

  get enabled(): boolean {
    return this.enabledNow;
  }

  get code(): number {
    return this.codeNow;
  }

  /** Applies the heartbeat watchdog; the board calls this on every physics tick. */
  checkWatchdog(): void {
    if (this.enabledNow && this.o.clock.now() - this.lastHeartbeatMs >= this.o.heartbeatTimeoutMs) {
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
    if (this.o.clock.now() < this.busyUntilMs) throw new DeviceRefused('PIC busy');
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
    if (f.length === 2 && !COMMANDS[b]) {
      this.framesDropped++;
      f.length = 0;
      return;
    }
    f.push(b);
    const cmd = f[2]!;
    if (f.length - 3 === COMMANDS[cmd]!.args) {
      const args = f.slice(3);
      f.length = 0;
      this.execute(cmd, args);
    }
  }

  private execute(cmd: number, args: number[]): void {
    const now = this.o.clock.now();
    switch (cmd) {
      case 0x01:
        this.flashPointer = ((args[0]! << 8) | args[1]!) & 0xfff;
        break;
      case 0x02:
        this.cache.set(args);
        break;
      case 0x03:
        this.reply(this.flash.subarray(this.flashPointer, this.flashPointer + 16));
        this.flashPointer = (this.flashPointer + 16) & 0xfff;
        break;
      case 0x04:
        this.flash.fill(0xff, this.flashPointer, Math.min(4096, this.flashPointer + 32));
        this.busyUntilMs = now + 500;
        break;
      case 0x05:
        this.flash.set(this.cache.subarray(0, Math.min(16, 4096 - this.flashPointer)), this.flashPointer);
        this.flashPointer = (this.flashPointer + 16) & 0xfff;
        this.busyUntilMs = now + 500;
        break;
      case 0x06:
        this.busyUntilMs = now + 500;
        break;
      case 0x07:
        this.busyUntilMs = now + 600;
        this.replies.length = 0;
        this.setOutput(false, this.codeNow);
        break;
      case 0x08:
        this.reply([this.flashPointer >> 8, this.flashPointer & 0xff]);
        break;
      case 0x10:
        this.setOutput(this.enabledNow, args[0]!);
        break;
      case 0x11:
        this.voltageTime = Buffer.from(args);
        break;
      case 0x12:
        this.boardId = Buffer.from(args);
        break;
      case 0x13:
        this.reply(this.boardId);
        break;
      case 0x14:
        this.mac = Buffer.from(args);
        break;
      case 0x15:
        if (args[0] === 1) this.lastHeartbeatMs = now; // the watchdog counts from power-on
        this.setOutput(args[0] === 1, this.codeNow);
        break;
      case 0x16:
        this.lastHeartbeatMs = now;
        break;
      case 0x17:
        this.reply([this.o.softwareVersion]);
        break;
      case 0x18:
        this.reply([this.codeNow]);
        break;
      case 0x19:
        this.reply(this.voltageTime);
        break;
      case 0x20:
        break;
      case 0x21:
        this.reply([...this.mac, 0, 0, 0, 0]);
        break;
      case 0x22:
        this.tempOffset = Buffer.from(args);
        break;
      case 0x23:
        this.reply(this.tempOffset);
        break;
    }
  }

  private reply(bytes: Iterable<number>): void {
    for (const b of bytes) this.replies.push(b);
  }

  private setOutput(enabled: boolean, code: number): void {
    const changed = enabled !== this.enabledNow || code !== this.codeNow;
    this.enabledNow = enabled;
    this.codeNow = code;
    if (changed) this.o.onOutput?.(enabled, code);
  }
}
