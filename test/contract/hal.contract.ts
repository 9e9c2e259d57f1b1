/**
 * The GpioLine, Pwm, Tach and I2cBus contracts (hal/types.ts): every backend that gives the
 * firmware one of these must pass its suite. Each rig gives the interface and the hardware's
 * side of it (what the line's level is, what duty the fan sees, how fast it turns, a device at
 * an address), so the same assertions run on the simulator (hal/sim) and on the kernel
 * interfaces (hal/linux: a fake sysfs/proc tree on the host, i2c-stub in the guest).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KabosuError } from '../../src/core/errors';
import type { GpioLine, I2cBus, Pwm, Tach } from '../../src/hal/types';

async function rejectsCode(p: Promise<unknown>, code: string): Promise<KabosuError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, KabosuError);
    assert.is((e as KabosuError).code, code);
    return e as KabosuError;
  }
  throw new Error(`expected ${code}`);
}

export interface GpioRig {
  /** An output line, opened at 0. */
  out: GpioLine;
  /** What the hardware sees on the output. */
  level(): 0 | 1 | Promise<0 | 1>;
  input: GpioLine;
  /** The hardware drives the input. */
  drive(v: 0 | 1): void | Promise<void>;
  cleanup(): Promise<void>;
}

export function gpioContract(name: string, make: () => Promise<GpioRig>): void {
  const s = suite(`gpio contract: ${name}`);
  s('an output reaches the hardware and reads back what was written', async () => {
    const r = await make();
    try {
      assert.is(await r.level(), 0);
      await r.out.write(1);
      assert.is(await r.level(), 1);
      assert.is(await r.out.read(), 1);
      await r.out.write(0);
      assert.is(await r.level(), 0);
      await rejectsCode(r.out.write(2 as 0), 'KBS_E_GPIO_VALUE');
    } finally {
      await r.cleanup();
    }
  });
  s('an input reads what the hardware drives and refuses writes', async () => {
    const r = await make();
    try {
      await r.drive(1);
      assert.is(await r.input.read(), 1);
      await r.drive(0);
      assert.is(await r.input.read(), 0);
      await rejectsCode(r.input.write(1), 'KBS_E_GPIO_DIRECTION');
    } finally {
      await r.cleanup();
    }
  });
  s('a closed line refuses calls (canceled)', async () => {
    const r = await make();
    try {
      await r.out.close();
      const e = await rejectsCode(r.out.write(1), 'KBS_E_HAL_CLOSED');
      assert.ok(e.canceled);
    } finally {
      await r.cleanup();
    }
  });
  s.run();
}

export interface PwmRig {
  pwm: Pwm;
  /** The duty the fan sees (0..1). */
  seen(): number | Promise<number>;
  cleanup(): Promise<void>;
}

export function pwmContract(name: string, make: () => Promise<PwmRig>): void {
  const s = suite(`pwm contract: ${name}`);
  s('a duty in 0..1 reaches the fan; out of range is refused and changes nothing', async () => {
    const r = await make();
    try {
      for (const d of [0, 0.25, 1, 0.6]) {
        await r.pwm.setDuty(d);
        assert.ok(Math.abs((await r.seen()) - d) < 1e-3, `${d}`);
        assert.is(r.pwm.duty, d);
      }
      for (const bad of [-0.1, 1.01, Number.NaN]) await rejectsCode(r.pwm.setDuty(bad), 'KBS_E_PWM_DUTY');
      assert.is(r.pwm.duty, 0.6);
      assert.ok(Math.abs((await r.seen()) - 0.6) < 1e-3);
    } finally {
      await r.cleanup();
    }
  });
  s('a closed PWM refuses a duty', async () => {
    const r = await make();
    try {
      await r.pwm.close();
      await rejectsCode(r.pwm.setDuty(0.5), 'KBS_E_HAL_CLOSED');
    } finally {
      await r.cleanup();
    }
  });
  s.run();
}

export interface TachRig {
  tach: Tach;
  /** The fan turns at `rpm` for `ms` (the rig advances its clock or its counters). */
  run(rpm: number, ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

export function tachContract(name: string, make: () => Promise<TachRig>): void {
  const s = suite(`tach contract: ${name}`);
  s('reads the speed the fan turns at, and 0 once it stopped', async () => {
    const r = await make();
    try {
      await r.run(3000, 1500);
      const rpm = await r.tach.readRpm();
      assert.ok(Math.abs(rpm - 3000) <= 60, `read ${rpm}`);
      await r.run(0, 3000);
      assert.is(await r.tach.readRpm(), 0);
    } finally {
      await r.cleanup();
    }
  });
  s('a closed tach refuses reads', async () => {
    const r = await make();
    try {
      await r.tach.close();
      await rejectsCode(r.tach.readRpm(), 'KBS_E_HAL_CLOSED');
    } finally {
      await r.cleanup();
    }
  });
  s.run();
}

export interface I2cRig {
  bus: I2cBus;
  /** A register-file device (i2c-stub, or the simulator's equivalent). */
  addr: number;
  /** An address where nothing answers. */
  absent: number;
  cleanup(): Promise<void>;
}

export function i2cContract(name: string, make: () => Promise<I2cRig>): void {
  const s = suite(`i2c contract: ${name}`);
  s('byte, word and block data round-trip through a register file', async () => {
    const r = await make();
    try {
      await r.bus.writeByte(r.addr, 0x10, 0xab);
      assert.is(await r.bus.readByte(r.addr, 0x10), 0xab);
      await r.bus.writeWord(r.addr, 0x20, 0x1234);
      assert.is(await r.bus.readWord(r.addr, 0x20), 0x1234);
      await r.bus.writeBlock(r.addr, 0x30, Uint8Array.of(1, 2, 3, 4));
      assert.equal([...(await r.bus.readBlock(r.addr, 0x30, 4))], [1, 2, 3, 4]);
    } finally {
      await r.cleanup();
    }
  });
  s('calls made without awaiting run in call order', async () => {
    const r = await make();
    try {
      const got = await Promise.all([r.bus.writeByte(r.addr, 0x40, 1), r.bus.readByte(r.addr, 0x40), r.bus.writeByte(r.addr, 0x40, 2), r.bus.readByte(r.addr, 0x40)]);
      assert.equal([got[1], got[3]], [1, 2]);
    } finally {
      await r.cleanup();
    }
  });
  s('nothing at an address is a NACK naming it', async () => {
    const r = await make();
    try {
      const e = await rejectsCode(r.bus.readByte(r.absent, 0), 'KBS_E_I2C_NACK');
      assert.match(e.message, `0x${r.absent.toString(16)}`);
    } finally {
      await r.cleanup();
    }
  });
  s.run();
}
