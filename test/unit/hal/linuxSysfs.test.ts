/**
 * hal/linux GPIO (sysfs), PWM (/sys/class/pwm) and tach (/proc/interrupts) against a fake
 * kernel tree (test/helpers/fakeKernelTree.ts) that plays the kernel's part of the ABI: the
 * files kabosu writes are read back, faults are made in the tree (missing nodes, permission,
 * lines exported by someone else, nonsense counters).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SysfsGpioLine } from '../../../src/hal/linux/gpio';
import { SysfsPwm } from '../../../src/hal/linux/pwm';
import { InterruptsTach } from '../../../src/hal/linux/tach';
import { interruptCount, rpmFromCounts } from '../../../src/hal/linux/interrupts';
import { FakeKernelTree } from '../../helpers/fakeKernelTree';
import { rejectsWith } from '../../helpers/rejects';

const rootsOf = (t: FakeKernelTree) => ({ sysfs: t.sys, proc: t.proc });

test('GPIO: export, direction with the initial level, value written and read back; unexport on close', async () => {
  const t = new FakeKernelTree().start(2);
  try {
    const reset = await SysfsGpioLine.open(5, { roots: rootsOf(t), direction: 'out', initial: 0, label: 'chain 0 reset' });
    assert.ok(['low', 'out'].includes(readFileSync(join(t.gpioDir(5), 'direction'), 'utf8').trim()), 'an output (written "low": at 0 without a glitch)');
    assert.is(t.gpioValue(5), 0);
    await reset.write(1);
    assert.is(t.gpioValue(5), 1);
    assert.is(await reset.read(), 1);
    const plug = await SysfsGpioLine.open(51, { roots: rootsOf(t), direction: 'in', label: 'chain 0 present' });
    t.setInput(51, 1);
    assert.is(await plug.read(), 1);
    await reset.close();
    await rejectsWith(reset.write(0), 'KBS_E_HAL_CLOSED');
    for (let i = 0; i < 50 && t.gpioValue(5) !== undefined; i++) await new Promise((r) => setTimeout(r, 5));
    assert.is(t.gpioValue(5), undefined, 'unexported: this process exported it');
  } finally {
    t.cleanup();
  }
});

test('GPIO already exported by another process: taken over (reported), driven to the initial level, left exported on close', async () => {
  const t = new FakeKernelTree().start(2);
  try {
    t.preExport(4, 'out', 1);
    const taken: number[] = [];
    const line = await SysfsGpioLine.open(4, { roots: rootsOf(t), direction: 'out', initial: 0, label: 'chain 1 reset', onTakeover: (g) => taken.push(g) });
    assert.equal(taken, [4]);
    assert.is(t.gpioValue(4), 0, 'a taken-over reset line is driven to its safe level at once');
    await line.close();
    assert.is(t.gpioValue(4), 0, 'not unexported: it was not ours');
  } finally {
    t.cleanup();
  }
});

test('GPIO faults: no gpio class (ENOENT), a line the kernel never makes, a value that is not 0/1: errors name the GPIO, its use and the file', async () => {
  const t = new FakeKernelTree(); // not started: nothing answers an export
  try {
    const e = await rejectsWith(SysfsGpioLine.open(27, { roots: rootsOf(t), direction: 'out', label: 'chain 2 reset', exportWaitMs: 50 }), 'KBS_E_GPIO_EXPORT');
    assert.match(e.message, 'GPIO 27 (chain 2 reset)');
    assert.match(e.message, 'did not appear');
    rmSync(join(t.sys, 'class/gpio'), { recursive: true });
    const e2 = await rejectsWith(SysfsGpioLine.open(27, { roots: rootsOf(t), direction: 'out', label: 'chain 2 reset' }), 'KBS_E_GPIO_EXPORT');
    assert.match(e2.message, join(t.sys, 'class/gpio/export'));
    assert.match(e2.message, 'ENOENT');
    assert.match(e2.hint ?? '', /driver is loaded|overlay/);
    mkdirSync(join(t.sys, 'class/gpio'), { recursive: true });
    t.preExport(44, 'in', 0);
    const plug = await SysfsGpioLine.open(44, { roots: rootsOf(t), direction: 'in', label: 'chain 3 present' });
    writeFileSync(join(t.gpioDir(44), 'value'), 'garbage');
    const e3 = await rejectsWith(plug.read(), 'KBS_E_GPIO_READ');
    assert.match(e3.message, "GPIO 44 (chain 3 present) read 'garbage'");
  } finally {
    t.cleanup();
  }
});

test('GPIO permission denied (EACCES, as an unprivileged user): the error says how to give access', () => {
  if (process.getuid?.() !== 0) {
    console.log('  (skipped: needs root to run the probe as nobody)');
    return;
  }
  const t = new FakeKernelTree();
  try {
    chmodSync(t.root, 0o755);
    for (const d of [t.sys, join(t.sys, 'class'), join(t.sys, 'class/gpio')]) chmodSync(d, 0o755);
    chmodSync(join(t.sys, 'class/gpio/export'), 0o644); // root's, as on a stock kernel
    const probe = `require('tsx/cjs'); const { SysfsGpioLine } = require(${JSON.stringify(join(__dirname, '../../../src/hal/linux/gpio.ts'))});
SysfsGpioLine.open(5, { roots: { sysfs: ${JSON.stringify(t.sys)}, proc: '/proc' }, direction: 'out', label: 'chain 0 reset' }).then(() => console.log('opened'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })));`;
    const r = spawnSync(process.execPath, ['-e', probe], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: join(__dirname, '../../..') });
    const out = JSON.parse(r.stdout.trim().split('\n').pop() || '{}') as { code?: string; message?: string; hint?: string };
    assert.is(out.code, 'KBS_E_GPIO_EXPORT', r.stdout + r.stderr);
    assert.match(out.message ?? '', 'EACCES');
    assert.match(out.hint ?? '', /permission.*root|udev/);
  } finally {
    t.cleanup();
  }
});

test('PWM: the L3+ path /sys/class/pwm/pwm1 is channel 1 of the only pwmchip: exported, period 100000 ns, enabled; duty as a fraction of the period', async () => {
  const t = new FakeKernelTree().start(2);
  try {
    const pwm = await SysfsPwm.open('/sys/class/pwm/pwm1', 100_000, { roots: rootsOf(t), label: 'fans 0,1' });
    assert.equal(t.pwmDuty(0, 1), { duty: 0, enabled: true, periodNs: 100_000 });
    await pwm.setDuty(0.42);
    assert.is(readFileSync(join(t.pwmDir(0, 1), 'duty_cycle'), 'utf8'), '42000');
    assert.is(pwm.duty, 0.42);
    await rejectsWith(pwm.setDuty(1.5), 'KBS_E_PWM_DUTY');
    assert.is(pwm.duty, 0.42, 'a refused duty changes nothing');
  } finally {
    t.cleanup();
  }
});

test('PWM: the stock 3.8 kernel layout (period_ns, duty_ns, run) is driven too', async () => {
  const t = new FakeKernelTree({ pwmChips: 0 });
  try {
    const d = join(t.sys, 'class/pwm/pwm1');
    mkdirSync(d, { recursive: true });
    for (const f of ['period_ns', 'duty_ns', 'run']) writeFileSync(join(d, f), '0');
    const pwm = await SysfsPwm.open('/sys/class/pwm/pwm1', 100_000, { roots: rootsOf(t), label: 'fans' });
    await pwm.setDuty(0.3);
    assert.equal(['period_ns', 'duty_ns', 'run'].map((f) => readFileSync(join(d, f), 'utf8')), ['100000', '30000', '1']);
  } finally {
    t.cleanup();
  }
});

test('PWM faults: no pwmchip, two pwmchips for a chip-less path, a channel that never appears: clear errors', async () => {
  const none = new FakeKernelTree({ pwmChips: 0 });
  const two = new FakeKernelTree({ pwmChips: 2 });
  const dead = new FakeKernelTree(); // not started
  try {
    mkdirSync(join(none.sys, 'class/pwm'), { recursive: true });
    const e1 = await rejectsWith(SysfsPwm.open('/sys/class/pwm/pwm1', 100_000, { roots: rootsOf(none), label: 'fans' }), 'KBS_E_PWM_MISSING');
    assert.match(e1.message, 'no pwmchip');
    const e2 = await rejectsWith(SysfsPwm.open('/sys/class/pwm/pwm1', 100_000, { roots: rootsOf(two), label: 'fans' }), 'KBS_E_PWM_MISSING');
    assert.match(e2.message, 'name the chip in the board definition');
    const e3 = await rejectsWith(SysfsPwm.open('/sys/class/pwm/pwmchip0/pwm1', 100_000, { roots: rootsOf(dead), label: 'fans', exportWaitMs: 50 }), 'KBS_E_PWM_MISSING');
    assert.match(e3.message, 'did not appear after export');
  } finally {
    for (const t of [none, two, dead]) t.cleanup();
  }
});

test('/proc/interrupts: a line summed over CPUs; absent or malformed lines are undefined; rpm from two counts', () => {
  const text = '           CPU0       CPU1\n 16:   100   200   INTC 68 Level gp_timer\n256:    30    12   gpio 0 Edge  fan0\n254:  abc  gpio\n';
  assert.is(interruptCount(text, 256), 42);
  assert.is(interruptCount(text, 16), 300);
  assert.is(interruptCount(text, 254), undefined);
  assert.is(interruptCount(text, 99), undefined);
  // 2 pulses per revolution: 100 pulses in 1 s = 50 rev/s = 3000 rpm.
  assert.is(rpmFromCounts({ atMs: 0, count: 0 }, { atMs: 1000, count: 100 }, 2), 3000);
  assert.is(rpmFromCounts({ atMs: 0, count: 10 }, { atMs: 1000, count: 5 }, 2), null, 'backwards');
});

test('tach from /proc/interrupts: RPM over the window, 0 before a window passed, 0 when the pulses stop', async () => {
  const t = new FakeKernelTree();
  let now = 0;
  try {
    t.setInterrupt(256, 1000);
    const tach = await InterruptsTach.open(256, { roots: rootsOf(t), pulsesPerRev: 2, windowMs: 1000, maxPlausibleRpm: 8600, label: 'fan 0', now: () => now });
    now = 500;
    t.setInterrupt(256, 1030);
    assert.is(await tach.readRpm(), 0, 'no full window yet');
    now = 1000;
    t.setInterrupt(256, 1060); // 60 pulses in 1 s, 2 per rev: 1800 rpm
    assert.is(await tach.readRpm(), 1800);
    now = 2000;
    assert.is(await tach.readRpm(), 0, 'no pulses over the last window: stopped');
    // Reads 10 s apart (a stalled loop), the fan turning all along: its mean speed, not 0 rpm.
    now = 12_000;
    t.setInterrupt(256, 1060 + 600);
    assert.is(await tach.readRpm(), 1800, 'a long gap between reads is not a stopped fan');
  } finally {
    t.cleanup();
  }
});

test('tach faults: line missing at open, counter going back, faster than the fan can turn, unreadable file: errors, never a made-up speed', async () => {
  const t = new FakeKernelTree();
  let now = 0;
  const o = { roots: rootsOf(t), pulsesPerRev: 2, windowMs: 1000, maxPlausibleRpm: 8600, label: 'fan 1', now: () => now };
  try {
    const e = await rejectsWith(InterruptsTach.open(254, o), 'KBS_E_TACH_MISSING');
    assert.match(e.message, 'no interrupt line "254:"');
    assert.match(e.message, join(t.proc, 'interrupts'));
    t.setInterrupt(254, 5000);
    const tach = await InterruptsTach.open(254, o);
    now = 1000;
    t.setInterrupt(254, 10); // driver reloaded
    await rejectsWith(tach.readRpm(), 'KBS_E_TACH_IMPLAUSIBLE');
    now = 2000;
    t.setInterrupt(254, 100_010); // 100 000 pulses in a second: 3 million rpm
    const e2 = await rejectsWith(tach.readRpm(), 'KBS_E_TACH_IMPLAUSIBLE');
    assert.match(e2.message, 'faster than this fan can turn');
    t.writeRawInterrupts('garbage\n');
    await rejectsWith(tach.readRpm(), 'KBS_E_TACH_MISSING');
    rmSync(join(t.proc, 'interrupts'));
    const e3 = await rejectsWith(tach.readRpm(), 'KBS_E_TACH_READ');
    assert.match(e3.message, 'ENOENT');
  } finally {
    t.cleanup();
  }
});

test.run();
