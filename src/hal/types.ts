/**
 * Hardware abstraction interfaces (DESIGN "Contracts that stay stable"). Every driver reaches
 * hardware only through these, so it runs unchanged on Linux devices (hal/linux) and on the
 * simulator (hal/sim).
 */

/**
 * How a chip family's replies are framed, for a reader that frames them itself (fixed length,
 * optional preamble, CRC5 over a bit range in the low 5 bits of one byte, a nonce-frame flag,
 * the nonce's 4 wire bytes and the wire job id). src/chips families provide it.
 */
export interface ReplyFrameSpec {
  length: number;
  preamble: number[];
  crcStart: number;
  crcBits: number;
  crcByte: number;
  /** A nonce frame has (byte[flagByte] & flagMask) === flagValue. */
  flagByte: number;
  flagMask: number;
  flagValue: number;
  nonceOffset: number;
  /** wire job id = (byte[jobByte] & jobMask) >> jobShift. */
  jobByte: number;
  jobMask: number;
  jobShift: number;
}

/** A nonce the UART's reader hashed as it read it (see `UartPrehash`). */
export interface PrehashedNonce {
  /** The 4 wire bytes read big-endian, as ChipReply.nonce. */
  nonce: number;
  wireJobId: number;
  /** The `gen` given to setJob for the header it was hashed against. */
  gen: number;
  /** PoW hash, 32 bytes little-endian number order. */
  hash: Buffer;
  /** True when it met the job's urgent target (delivered at once). */
  urgent: boolean;
  /** Host time (performance.now(), ms) the bytes were read. */
  readAt: number;
}

/**
 * Optional UART capability (hal/linux): a reader thread that frames replies by `spec`, hashes
 * every nonce frame against the header registered for its wire job id, and delivers bytes to
 * 'data' listeners at once only when JS must act (a nonce meeting the urgent target, a
 * register reply, noise, unknown job), else at most `lazyMs` later with the hashes attached
 * (the listener's second argument). Bytes are always delivered verbatim and in order.
 */
export interface UartPrehash {
  enable(spec: ReplyFrameSpec, pow: 'scrypt' | 'scrypt-sim', lazyMs: number): void;
  disable(): void;
  /** The header a wire job id stands for now; urgentTarget: 32 bytes LE (null: every nonce is urgent). */
  setJob(wireJobId: number, header76: Uint8Array, urgentTarget: Buffer | null, gen: number): void;
  isEnabled(): boolean;
}

export interface Uart {
  /** Writes bytes; resolves once they are handed to the line (drained). */
  write(buf: Uint8Array): Promise<void>;
  /** `prehashed`: only from a UART with `prehash` enabled. */
  on(event: 'data', fn: (chunk: Buffer, prehashed?: PrehashedNonce[]) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  on(event: 'close', fn: () => void): void;
  off(event: 'data' | 'error' | 'close', fn: (...args: never[]) => void): void;
  /** Changes the line speed; on a real port or a PTY this really changes the termios speed. */
  setBaud(baud: number): Promise<void>;
  readonly baud: number;
  close(): Promise<void>;
  /** Present where the reader can frame and hash nonces off the event loop (hal/linux). */
  readonly prehash?: UartPrehash;
}

/**
 * SMBus-style register access on one I2C bus (i2c-bus's API shape). Calls run on the bus in the
 * order they were made, also when the caller does not await one before making the next (a
 * bus is one wire: an implementation serialises; callers may pipeline a device's register
 * reads, e.g. a TMP451's high byte before the low byte it latches).
 */
export interface I2cBus {
  /** One-byte write with no register (SMBus "send byte"): the L3+ PIC's byte API uses these. */
  sendByte(addr: number, value: number): Promise<void>;
  /** One-byte read with no register (SMBus "receive byte"). */
  receiveByte(addr: number): Promise<number>;
  readByte(addr: number, reg: number): Promise<number>;
  writeByte(addr: number, reg: number, value: number): Promise<void>;
  readWord(addr: number, reg: number): Promise<number>;
  writeWord(addr: number, reg: number, value: number): Promise<void>;
  readBlock(addr: number, reg: number, length: number): Promise<Buffer>;
  writeBlock(addr: number, reg: number, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface GpioLine {
  read(): Promise<0 | 1>;
  write(value: 0 | 1): Promise<void>;
  close(): Promise<void>;
}

export interface Pwm {
  /** Duty cycle 0..1. */
  setDuty(duty: number): Promise<void>;
  readonly duty: number;
  close(): Promise<void>;
}

/** Fan tachometer: revolutions per minute as measured from tach pulses. */
export interface Tach {
  readRpm(): Promise<number>;
  close(): Promise<void>;
}

export interface TimerHandle {
  cancel(): void;
}

/**
 * Time, injected everywhere (conventions 2.6.5): real in production, virtual in tests and
 * accelerated simulations. Never call Date.now()/setTimeout directly in logic that a test or
 * a simulation needs to drive.
 */
export interface Clock {
  /** Milliseconds, monotonic within one clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Everything the firmware reaches on one miner, whatever the backend: the simulator in this
 * process (sim/), a simulator in another process (remote/), or a controller's buses (linux/).
 */
export interface MinerHal {
  /** One per chain. */
  uarts: Uart[];
  /** Controller I2C buses, indexed as the board definition's controller.i2cBuses. */
  i2c: I2cBus[];
  /** Per chain, per sensor: the bus that sensor answers on. */
  sensorBuses: I2cBus[][];
  gpio: { reset: GpioLine[]; present: GpioLine[]; led: { red: GpioLine; green: GpioLine }; beeper: GpioLine | null };
  fans: { pwm: Pwm[]; tach: Tach[] };
}
