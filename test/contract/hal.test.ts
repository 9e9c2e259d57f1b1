/**
 * The hal contracts (hal.contract.ts) on every backend this machine can run:
 * - sim: the simulator's GPIO, PWM, tach and I2C bus (hal/sim);
 * - linux: sysfs GPIO, /sys/class/pwm and /proc/interrupts tachs (hal/linux) against a fake
 *   kernel tree (test/helpers/fakeKernelTree.ts); I2C against a real /dev/i2c-N with i2c-stub
 *   loaded (`modprobe i2c-stub chip_addr=0x50`, the QEMU guest): set KABOSU_I2C_STUB_BUS=N.
 */
import { existsSync } from 'node:fs';
import { SimGpioLine } from '../../src/hal/sim/gpio';
import { SimI2cBus } from '../../src/hal/sim/i2c';
import { SimPwm } from '../../src/hal/sim/pwm';
import { SimTach } from '../../src/hal/sim/tach';
import { SysfsGpioLine } from '../../src/hal/linux/gpio';
import { LinuxI2cBus } from '../../src/hal/linux/i2c';
import { SysfsPwm } from '../../src/hal/linux/pwm';
import { InterruptsTach } from '../../src/hal/linux/tach';
import { RegisterDevice } from '../../src/sim/devices/registerDevice';
import { FakeKernelTree } from '../helpers/fakeKernelTree';
import { gpioContract, i2cContract, pwmContract, tachContract } from './hal.contract';

const ALL = new Set(Array.from({ length: 256 }, (_, i) => i));

/** i2c-stub's equivalent on the simulator's bus: 256 byte registers, all read/write. */
class RegisterFile extends RegisterDevice {
  private regs = new Uint8Array(256);
  constructor() {
    super(ALL, ALL);
  }
  protected readReg(reg: number): number {
    return this.regs[reg]!;
  }
  protected writeReg(reg: number, value: number): void {
    this.regs[reg] = value;
  }
}

// ---- sim
gpioContract('sim', async () => {
  const out = new SimGpioLine('reset0', 'out', 0);
  const input = new SimGpioLine('plug0', 'in', 0);
  return { out, level: () => out.level, input, drive: (v) => input.drive(v), cleanup: async () => undefined };
});
pwmContract('sim', async () => {
  const pwm = new SimPwm('fan', 0);
  let seen = 0;
  pwm.onChange((d) => (seen = d));
  return { pwm, seen: () => seen, cleanup: async () => undefined };
});
tachContract('sim', async () => {
  let rpm = 0;
  const tach = new SimTach('fan0', () => rpm);
  return { tach, run: async (r) => void (rpm = r), cleanup: async () => undefined };
});
i2cContract('sim', async () => {
  const bus = new SimI2cBus('i2c-0');
  bus.attach(0x50, new RegisterFile());
  return { bus, addr: 0x50, absent: 0x33, cleanup: () => bus.close() };
});

// ---- linux (fake sysfs/proc)
gpioContract('linux sysfs (fake tree)', async () => {
  const t = new FakeKernelTree().start(2);
  const roots = { sysfs: t.sys, proc: t.proc };
  const out = await SysfsGpioLine.open(5, { roots, direction: 'out', initial: 0, label: 'reset' });
  const input = await SysfsGpioLine.open(51, { roots, direction: 'in', label: 'plug' });
  return { out, level: () => t.gpioValue(5)!, input, drive: (v) => t.setInput(51, v), cleanup: async () => t.cleanup() };
});
pwmContract('linux /sys/class/pwm (fake tree)', async () => {
  const t = new FakeKernelTree().start(2);
  const pwm = await SysfsPwm.open('/sys/class/pwm/pwmchip0/pwm1', 100_000, { roots: { sysfs: t.sys, proc: t.proc }, label: 'fans' });
  return { pwm, seen: () => t.pwmDuty(0, 1)!.duty, cleanup: async () => t.cleanup() };
});
tachContract('linux /proc/interrupts (fake tree)', async () => {
  const t = new FakeKernelTree();
  let now = 0;
  let count = 0;
  t.setInterrupt(256, 0);
  const tach = await InterruptsTach.open(256, { roots: { sysfs: t.sys, proc: t.proc }, pulsesPerRev: 2, windowMs: 1000, maxPlausibleRpm: 8600, label: 'fan 0', now: () => now });
  return {
    tach,
    // The kernel counts 2 pulses per revolution; the tach is read every 250 ms, as thermal does.
    run: async (rpm, ms) => {
      for (let done = 0; done < ms; done += 250) {
        now += 250;
        count += (rpm * 2 * 250) / 60_000;
        t.setInterrupt(256, Math.round(count));
        await tach.readRpm();
      }
    },
    cleanup: async () => t.cleanup(),
  };
});

const stubBus = process.env.KABOSU_I2C_STUB_BUS;
if (stubBus !== undefined && existsSync(`/dev/i2c-${stubBus}`)) {
  i2cContract(`linux /dev/i2c-${stubBus} (i2c-stub)`, async () => {
    const bus = await LinuxI2cBus.open(`/dev/i2c-${stubBus}`, { timeoutMs: 500, retries: 0 });
    return { bus, addr: 0x50, absent: 0x33, cleanup: () => bus.close() };
  });
} else {
  console.log('i2c contract on linux skipped: no i2c-stub bus (the QEMU guest runs it: modprobe i2c-stub chip_addr=0x50; KABOSU_I2C_STUB_BUS=N)');
}
