/**
 * Real kernel interfaces, in a Linux guest under QEMU TCG (tools/vm): the guest's /dev/i2c-0 is
 * i2c-stub at the L3+ bus-0 addresses (PICs 0x50..0x53, PSU 0x58), its GPIO is gpio-sim (built
 * out of tree, 113 lines so the AM335x numbers of board/l3plus.json fit), and its ttyS1..ttyS4 are
 * 16550 UARTs whose QEMU chardevs are the PTYs of a host `kabosu sim run --pty` simulator
 * (startStandalone, the same code). test/vm/guest/interfaces.ts runs in the guest and reports;
 * this file judges. Skipped (with the reason) only where no VM can run (KABOSU_VM=0, not x86_64).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startStandalone } from '../../src/sim/standalone';
import type { RunningSim } from '../../src/sim/standalone';

import * as vm from '../../tools/vm/guest';

const reason = vm.vmUnavailableReason();
const it = reason ? test.skip : test;
if (reason) process.stdout.write(`test/vm skipped: ${reason}\n`);

interface Check {
  check: string;
  ok: boolean;
  [k: string]: unknown;
}

const board = JSON.parse(readFileSync(join(__dirname, '../../board/l3plus.json'), 'utf8')) as { controller: { gpio: { chainReset: number[]; chainPresent: number[] } } };

async function powerChains(sim: RunningSim, n: number): Promise<void> {
  for (let c = 0; c < n; c++) for (const b of [0x55, 0xaa, 0x15, 0x01]) await sim.miner.hal.i2c[0]!.sendByte(0x50 + c, b);
}

it('i2c-stub, gpio-sim and guest ttyS1..4 <-> host simulator chains, on a real kernel', async () => {
  const t0 = Date.now();
  const sim = await startStandalone({ boardId: 'l3plus', seed: 7, pty: true, listen: { port: 0, host: '127.0.0.1' }, ambientC: 25, timeScale: 1, pow: 'scrypt-sim', logger: pino({ level: 'silent' }) });
  // The PIC's heartbeat watchdog cuts DC-DC after 30 s: the host keeps the chains powered.
  await powerChains(sim, 4);
  const heartbeat = setInterval(() => {
    for (let c = 0; c < 4; c++) for (const b of [0x55, 0xaa, 0x16]) void sim.miner.hal.i2c[0]!.sendByte(0x50 + c, b);
  }, 10_000);
  const workDir = mkdtempSync(join(tmpdir(), 'kabosu-vm-'));
  try {
    const g = board.controller.gpio;
    const args = { i2cAddrs: vm.L3PLUS_I2C_ADDRS, gpio: { label: 'kabosu-l3plus', reset: g.chainReset[0], present: g.chainPresent[0] }, chains: ['/dev/ttyS1', '/dev/ttyS2', '/dev/ttyS3', '/dev/ttyS4'], chips: 72, family: 'bm1485' };
    const entry = await vm.bundleForGuest(join(__dirname, 'guest/interfaces.ts'), workDir);
    const r = await vm.bootGuest({
      workDir,
      env: entry.env,
      // The guest's exit status reaches the host as is: 7 after the checks ran, theirs if they crashed.
      command: `node ${entry.guestPath} '${JSON.stringify(args)}' && exit 7`,
      chains: sim.info.ptys.map((tty) => ({ tty })),
      gpioLines: 113,
      gpioLabel: 'kabosu-l3plus',
      gpioNames: { [g.chainReset[0]]: 'RST0', [g.chainPresent[0]]: 'PLUG0' },
      timeoutMs: 200_000,
    });
    const checks = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Check);
    process.stdout.write(
      `vm: prepare ${r.timings.prepareMs} ms, QEMU start -> guest /init ready ${r.timings.readyWallMs} ms wall, whole run ${r.timings.wallMs} ms wall; guest uptime ${JSON.stringify(r.timings.guest)}; test wall ${Date.now() - t0} ms\n`,
    );
    for (const c of checks) process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${JSON.stringify(c)}\n`);
    assert.is(r.code, 7, `guest command exit ${r.code}\nstderr: ${r.stderr.slice(-3000)}\nconsole: ${r.console.slice(-2000)}`);
    const byName = new Map(checks.map((c) => [c.check, c]));
    const want = ['i2c.scan', 'i2c.byte', 'i2c.word', 'i2c.block', 'i2c.sendReceiveByte', 'i2c.absentAddressErrors', 'gpio.chip', 'gpio.output', 'gpio.input', 'gpio.edges', ...[0, 1, 2, 3].map((i) => `chain.enumerate.${i}`), 'guest.done'];
    for (const name of want) {
      const c = byName.get(name);
      assert.ok(c, `guest did not report ${name}; stderr: ${r.stderr.slice(-2000)}`);
      assert.ok(c.ok, `guest check ${name} failed: ${JSON.stringify(c)}`);
    }
    // The kernel wrote what the guest wrote: i2c-stub is the kernel's, so the scan is too.
    assert.equal(byName.get('i2c.scan')!.found, vm.L3PLUS_I2C_ADDRS);
    // The chip sits at global number 0, so the board definition's AM335x numbers are the sysfs ones.
    assert.is(byName.get('gpio.chip')!.base, 0);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    clearInterval(heartbeat);
    await sim.stop();
  }
});

test.run();
