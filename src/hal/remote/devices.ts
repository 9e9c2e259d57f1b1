/** I2cBus / GpioLine / Pwm / Tach that forward every call through a `RemoteCaller` (the RemoteHalClient). */
import { KabosuError } from '../../core/errors';
import type { GpioLine, I2cBus, Pwm, Tach } from '../types';
import type { BusRef, I2cMethod, RemoteOp } from './frame';

export interface RemoteCaller {
  call(op: RemoteOp): Promise<unknown>;
}

export class RemoteI2cBus implements I2cBus {
  constructor(
    private readonly c: RemoteCaller,
    private readonly bus: BusRef,
  ) {}

  private req(method: I2cMethod, addr: number, extra: { reg?: number; value?: number; length?: number; data?: number[] } = {}): Promise<unknown> {
    return this.c.call({ op: 'i2c', bus: this.bus, method, addr, ...extra });
  }

  async sendByte(addr: number, value: number): Promise<void> {
    await this.req('sendByte', addr, { value });
  }
  async receiveByte(addr: number): Promise<number> {
    return num(await this.req('receiveByte', addr));
  }
  async readByte(addr: number, reg: number): Promise<number> {
    return num(await this.req('readByte', addr, { reg }));
  }
  async writeByte(addr: number, reg: number, value: number): Promise<void> {
    await this.req('writeByte', addr, { reg, value });
  }
  async readWord(addr: number, reg: number): Promise<number> {
    return num(await this.req('readWord', addr, { reg }));
  }
  async writeWord(addr: number, reg: number, value: number): Promise<void> {
    await this.req('writeWord', addr, { reg, value });
  }
  async readBlock(addr: number, reg: number, length: number): Promise<Buffer> {
    const v = await this.req('readBlock', addr, { reg, length });
    if (!Array.isArray(v)) throw new KabosuError('KBS_E_HAL_REMOTE_PROTOCOL', 'readBlock answer is not bytes');
    return Buffer.from(v as number[]);
  }
  async writeBlock(addr: number, reg: number, data: Uint8Array): Promise<void> {
    await this.req('writeBlock', addr, { reg, data: [...data] });
  }
  async close(): Promise<void> {
    /* the connection is shared; RemoteHalClient.close ends it */
  }
}

function num(v: unknown): number {
  if (typeof v !== 'number') throw new KabosuError('KBS_E_HAL_REMOTE_PROTOCOL', `expected a number from the remote hal, got ${typeof v}`);
  return v;
}

export function describeOp(op: RemoteOp): string {
  switch (op.op) {
    case 'i2c':
      return `i2c ${op.bus.kind === 'ctrl' ? `bus=${op.bus.index}` : `chain=${op.bus.chain} sensor=${op.bus.sensor}`} ${op.method} addr=0x${op.addr.toString(16)}${op.reg !== undefined ? ` reg=0x${op.reg.toString(16)}` : ''}`;
    case 'gpio':
      return `gpio ${op.line} ${op.method}`;
    case 'pwm':
      return `pwm fan=${op.fan}`;
    case 'tach':
      return `tach fan=${op.fan}`;
    default:
      return op.op;
  }
}

export function remoteGpio(c: RemoteCaller, line: string): GpioLine {
  return {
    read: async () => ((await c.call({ op: 'gpio', line, method: 'read' })) === 1 ? 1 : 0),
    write: async (value) => void (await c.call({ op: 'gpio', line, method: 'write', value })),
    close: async () => undefined,
  };
}

export function remotePwm(c: RemoteCaller, fan: number, initialDuty = 0): Pwm {
  let duty = initialDuty;
  return {
    get duty() {
      return duty;
    },
    async setDuty(d: number) {
      if (!(d >= 0 && d <= 1)) throw new KabosuError('KBS_E_HAL_PWM_RANGE', `fan duty ${d} is outside 0..1`);
      await c.call({ op: 'pwm', fan, duty: d });
      duty = d;
    },
    close: async () => undefined,
  };
}

export function remoteTach(c: RemoteCaller, fan: number): Tach {
  return {
    readRpm: async () => num(await c.call({ op: 'tach', fan })),
    close: async () => undefined,
  };
}
