/**
 * `kabosu run --config FILE` with `hashboards.backend: "linux"` on this host (issue 17), three
 * processes and a fake kernel tree:
 * - chain UARTs: the PTYs of `kabosu sim run --pty` (real ttys, opened by LinuxUart as on a
 *   controller);
 * - GPIO (reset, PLUG, LEDs, beeper) and fan PWM: sysfs files under a temp `sysfsRoot` that
 *   test/helpers/fakeKernelTree.ts serves the way the kernel does (export -> gpioN/, pwmM/);
 * - fan tachs: /proc/interrupts counters under a temp `procRoot`, advanced by this test;
 * - I2C (PICs, chip-behind sensors): bridged to the simulator (`i2cBridge`): this host has no
 *   /dev/i2c-N (the I2C backend itself is tested in the guest and by test/unit/hal/linuxI2c).
 * This test is the wire between the fake tree and the simulated boards: the duty kabosu writes to
 * pwm1/duty_cycle drives the simulator's fans, their speed advances the interrupt counters,
 * and the reset values kabosu writes reach the simulator's reset lines.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBoard } from '../../src/config/boardLoader';
import { RemoteHalClient } from '../../src/hal/remote';
import { FanWire } from '../helpers/fanWire';
import { FakeKernelTree } from '../helpers/fakeKernelTree';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { until } from '../helpers/until';

const board = loadBoard('l3plus');
const gpio = board.controller.gpio;

let pty = true;
try {
  const { PtyMaster } = require('../../src/native/pty') as typeof import('../../src/native/pty');
  new PtyMaster().close();
} catch (e) {
  pty = false;
  console.log(`linuxBoards skipped: native addon not built (${(e as Error).message})`);
}

if (pty) {
  test('backend linux on the simulator PTYs and a fake sysfs/proc: 4 x 72 chips, accepted shares, board off when the tachs stop', async () => {
    const k = new KabosuProcs('kabosu-linuxhw-');
    const tree = new FakeKernelTree({ dir: join(k.dir, 'kernel') }).start();
    let hal: RemoteHalClient | undefined;
    let wire: FanWire | undefined;
    try {
      const sim = k.start(['sim', 'run', '--board', 'l3plus', '--seed', '6', '--pty', '--json', '--control', `unix:${join(k.dir, 'ctl.sock')}`, '--hal', `unix:${join(k.dir, 'hal.sock')}`]);
      const pool = k.start(['pool', '--port', '0', '--difficulty', '4096', '--block-interval', '600', '--job-interval', '600']);
      const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
      const poolUrl = (await pool.firstLine).trim();
      hal = await RemoteHalClient.connect(info.hal, { timeoutMs: 2000 });
      wire = new FanWire(tree, hal, board);
      wire.start();
      const cfgPath = join(k.dir, 'config.json');
      writeFileSync(cfgPath, JSON.stringify({
        version: 1,
        mining: { enabled: true },
        pools: [{ name: 'test', url: poolUrl, user: 'linux.worker' }],
        api: { http: { enabled: false }, cgminer: { enabled: false }, cgi: { enabled: false } },
        logging: { level: 'info' },
        hashboards: { backend: 'linux', model: 'l3plus', linux: { uarts: info.ptys, sysfsRoot: tree.sys, procRoot: tree.proc, i2cBridge: info.hal, i2cTimeoutMs: 2000, pow: 'scrypt-sim' } },
      }));
      const dataDir = join(k.dir, 'data');
      k.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
      // The PLUG inputs: the boards are plugged (the hardware drives them high).
      await until('PLUG lines exported', () => gpio.chainPresent.every((n) => tree.gpioValue(n) !== undefined), 20_000, { detail: () => k.daemonOut.slice(-3000) });
      for (const n of gpio.chainPresent) tree.setInput(n, 1);
      await k.waitFor(/"msg":"share accepted"/, 90_000);
      const st = await status(k, cfgPath, dataDir);
      assert.is(st.hashboards.backend, 'linux');
      assert.ok(st.hashboards.simulated, 'chips behind the UARTs are a simulator: reported as simulated');
      assert.equal(st.chains.map((c) => c.chips_found), [72, 72, 72, 72]);
      assert.ok(st.shares.accepted > 0);
      // The fan PWM as kabosu wrote it: pwmchip0/pwm1 exported, 10 kHz, enabled, a duty in range.
      const pwm = tree.pwmDuty(0, 1)!;
      assert.is(pwm.periodNs, 100_000, 'L3+ fan PWM at 10 kHz');
      assert.ok(pwm.enabled);
      assert.ok(pwm.duty > 0 && pwm.duty <= 1, `duty ${pwm.duty}`);
      assert.ok(wire.dutySeen.length > 0);
      // Chains out of reset (active low) while mining.
      assert.equal(gpio.chainReset.map((n) => tree.gpioValue(n)), [1, 1, 1, 1], `resets as the simulator saw them: ${JSON.stringify(wire.resetLog)}\n${k.daemonOut.slice(-2000)}`);
      // Danger: the tach pulses stop (fans seized, or the tach wires cut).
      wire.mode = 'frozen';
      const t0 = Date.now();
      await until('every chain held in reset by the interlock', () => gpio.chainReset.every((n) => tree.gpioValue(n) === 0), 10_000, { detail: () => k.daemonOut.slice(-3000) });
      const ms = Date.now() - t0;
      // The log line reaches our pipe a little after the line's value file changed.
      await k.waitFor(/"reason":"fans_stopped"[^\n]*"msg":"safety interlock: board powered off"/, 10_000);
      // The PICs (through the bridge) cut the boards' DC-DC too: the simulator's truth.
      const truth = await simState(k, join(k.dir, 'ctl.sock'));
      assert.equal(truth.chains.map((c) => c.powered), [false, false, false, false], 'simulator: every board unpowered');
      console.log(`  tach frozen -> every reset line low in ${ms} ms (tach window 1 s)`);
    } finally {
      wire?.stop();
      await hal?.close();
      await k.cleanup();
      tree.cleanup();
    }
  });
}

// Asynchronous on purpose: this process is the fans' wire; a blocked event loop here stops the
// tach pulses and the interlock (rightly) trips.
const run = promisify(execFile);

async function status(k: KabosuProcs, cfgPath: string, dataDir: string) {
  const r = await run(process.execPath, [k.bin, 'status', '--json', '--config', cfgPath, '--data-dir', dataDir], { cwd: k.dir, env: k.env, encoding: 'utf8' });
  return JSON.parse(r.stdout) as { hashboards: { backend: string; simulated: boolean }; shares: { accepted: number }; chains: Array<{ chips_found: number }> };
}

async function simState(k: KabosuProcs, sock: string): Promise<{ chains: { powered: boolean }[] }> {
  const r = await run(process.execPath, [k.bin, 'sim', 'state', '--json', '--control', `unix:${sock}`], { cwd: k.dir, env: k.env, encoding: 'utf8' });
  return JSON.parse(r.stdout) as { chains: { powered: boolean }[] };
}

test.run();
