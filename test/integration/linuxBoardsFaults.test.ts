/**
 * Backend linux, bad hardware (issue 17 "Bad input and faults"), the daemon as a process:
 * - no I2C device node (this host): the daemon keeps running (no crash loop) with no boards, a
 *   status note naming /dev/i2c-0, and nothing exported in sysfs;
 * - no PWM in the kernel: the same, the note names the PWM; the GPIO lines it had exported are
 *   released with every chain left in reset, and nothing was powered (the simulator's truth);
 * - a tach reading nonsense while mining: the readings are untrustworthy, so every board is
 *   powered off and held in reset.
 * The wire between the fake kernel tree and the simulator is test/helpers/fanWire.ts (see
 * linuxBoards.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadBoard } from '../../src/config/boardLoader';
import type { DaemonStatus } from '../../src/core/minerApi';
import { RemoteHalClient } from '../../src/hal/remote';
import { FakeKernelTree } from '../helpers/fakeKernelTree';
import { FanWire } from '../helpers/fanWire';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { until } from '../helpers/until';

const board = loadBoard('l3plus');
const gpio = board.controller.gpio;
const run = promisify(execFile);

let pty = true;
try {
  const { PtyMaster } = require('../../src/native/pty') as typeof import('../../src/native/pty');
  new PtyMaster().close();
} catch (e) {
  pty = false;
  console.log(`linuxBoardsFaults: simulator cases skipped: native addon not built (${(e as Error).message})`);
}

function writeConfig(k: KabosuProcs, linux: Record<string, unknown>, poolUrl = 'stratum+tcp://127.0.0.1:9'): string {
  const cfgPath = join(k.dir, 'config.json');
  writeFileSync(cfgPath, JSON.stringify({
    version: 1,
    mining: { enabled: true },
    pools: [{ name: 'test', url: poolUrl, user: 'linux.worker' }],
    api: { http: { enabled: false }, cgminer: { enabled: false }, cgi: { enabled: false } },
    logging: { level: 'info' },
    hashboards: { backend: 'linux', model: 'l3plus', linux },
  }));
  return cfgPath;
}

async function status(k: KabosuProcs, cfgPath: string): Promise<DaemonStatus> {
  const r = await run(process.execPath, [k.bin, 'status', '--json', '--config', cfgPath, '--data-dir', join(k.dir, 'data')], { cwd: k.dir, env: k.env, encoding: 'utf8' });
  return JSON.parse(r.stdout) as DaemonStatus;
}

async function statusWhenUp(k: KabosuProcs, cfgPath: string): Promise<DaemonStatus> {
  await k.waitFor(/"msg":"(running|running with no hash boards)[^"]*"/, 30_000);
  return status(k, cfgPath);
}

const exported = (t: FakeKernelTree) => readdirSync(join(t.sys, 'class/gpio')).filter((n) => /^gpio\d+$/.test(n));

test('no /dev/i2c-0: the daemon runs on without boards (no crash loop), says which device, and exports nothing', async () => {
  if (existsSync('/dev/i2c-0')) {
    console.log('  (skipped: this machine has /dev/i2c-0)');
    return;
  }
  const k = new KabosuProcs('kabosu-lxfault-');
  const tree = new FakeKernelTree({ dir: join(k.dir, 'kernel') }).start();
  try {
    const cfgPath = writeConfig(k, { uarts: ['/dev/null', '/dev/null', '/dev/null', '/dev/null'], sysfsRoot: tree.sys, procRoot: tree.proc });
    const d = k.daemon(['run', '--config', cfgPath, '--data-dir', join(k.dir, 'data')]);
    const st = await statusWhenUp(k, cfgPath);
    assert.is(st.state, 'no-hashboards');
    assert.match(st.hashboards.note ?? '', '/dev/i2c-0 does not exist');
    assert.is(st.components.find((c) => c.name === 'linux-boards')?.state, 'degraded');
    await new Promise((r) => setTimeout(r, 1500));
    assert.is(d.exitCode, null, 'still running: a missing device is not a crash');
    assert.equal(exported(tree), [], 'no GPIO touched on a controller whose I2C is missing');
    assert.match(k.daemonOut, /modprobe i2c-dev/);
  } finally {
    await k.cleanup();
    tree.cleanup();
  }
});

/** The simulator (chains on PTYs, I2C bridged) with a fake kernel tree and the fans' wire. */
async function simRig(tag: string, prepare: (t: FakeKernelTree) => void = () => undefined) {
  const k = new KabosuProcs(`kabosu-${tag}-`);
  const tree = new FakeKernelTree({ dir: join(k.dir, 'kernel') });
  prepare(tree);
  tree.start();
  const sim = k.start(['sim', 'run', '--board', 'l3plus', '--seed', '8', '--pty', '--json', '--control', `unix:${join(k.dir, 'ctl.sock')}`, '--hal', `unix:${join(k.dir, 'hal.sock')}`]);
  const pool = k.start(['pool', '--port', '0', '--difficulty', '4096', '--block-interval', '600', '--job-interval', '600']);
  const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
  const poolUrl = (await pool.firstLine).trim();
  const hal = await RemoteHalClient.connect(info.hal, { timeoutMs: 2000 });
  const wire = new FanWire(tree, hal, board);
  wire.start();
  const cfgPath = writeConfig(k, { uarts: info.ptys, sysfsRoot: tree.sys, procRoot: tree.proc, i2cBridge: info.hal, i2cTimeoutMs: 2000, pow: 'scrypt-sim' }, poolUrl);
  const simPowered = async () => {
    const r = await run(process.execPath, [k.bin, 'sim', 'state', '--json', '--control', `unix:${join(k.dir, 'ctl.sock')}`], { cwd: k.dir, env: k.env, encoding: 'utf8' });
    return (JSON.parse(r.stdout) as { chains: { powered: boolean }[] }).chains.map((c) => c.powered);
  };
  return {
    k, tree, wire, cfgPath, simPowered,
    close: async () => {
      wire.stop();
      await hal.close();
      await k.cleanup();
      tree.cleanup();
    },
  };
}

if (pty) {
  test('no PWM in the kernel: no boards, a note naming the PWM, the exported lines released with every chain in reset, nothing powered', async () => {
    const r = await simRig('lxnopwm', (t) => rmSync(join(t.sys, 'class/pwm'), { recursive: true }));
    try {
      const resets: (0 | 1 | undefined)[][] = [];
      const sampler = setInterval(() => resets.push(gpio.chainReset.map((n) => r.tree.gpioValue(n))), 5);
      const d = r.k.daemon(['run', '--config', r.cfgPath, '--data-dir', join(r.k.dir, 'data')]);
      const st = await statusWhenUp(r.k, r.cfgPath);
      clearInterval(sampler);
      assert.is(st.state, 'no-hashboards');
      assert.match(st.hashboards.note ?? '', 'PWM /sys/class/pwm/pwm1');
      assert.ok(resets.every((v) => v.every((x) => x !== 1)), `a chain was let out of reset: ${JSON.stringify(resets.find((v) => v.includes(1)))}`);
      await until('the lines it exported released', () => exported(r.tree).length === 0, 5_000, { detail: () => exported(r.tree).join(',') });
      assert.equal(await r.simPowered(), [false, false, false, false]);
      assert.is(d.exitCode, null);
    } finally {
      await r.close();
    }
  });

  test('a tach reading nonsense while mining: readings untrustworthy, every board powered off and held in reset', async () => {
    const r = await simRig('lxtach');
    try {
      r.k.daemon(['run', '--config', r.cfgPath, '--data-dir', join(r.k.dir, 'data')]);
      await r.k.waitFor(/"msg":"share accepted"/, 90_000);
      assert.equal(gpio.chainReset.map((n) => r.tree.gpioValue(n)), [1, 1, 1, 1]);
      r.wire.mode = 'nonsense';
      await until('every chain in reset', () => gpio.chainReset.every((n) => r.tree.gpioValue(n) === 0), 10_000, { detail: () => r.k.daemonOut.slice(-3000) });
      await r.k.waitFor(/"msg":"safety interlock: board powered off"/, 10_000);
      await r.k.waitFor(/faster than this fan can turn/, 10_000).catch(() => undefined); // logged by health when it reads the fans
      assert.equal(await r.simPowered(), [false, false, false, false]);
    } finally {
      await r.close();
    }
  });
}

test.run();
