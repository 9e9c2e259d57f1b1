/**
 * Issue 17 item 9: the hal contract suites (test/contract/hal.test.ts) run inside the Linux guest
 * (tools/vm), where hal/linux's I2C meets a real kernel bus: `LinuxI2cBus` on /dev/i2c-0 of
 * i2c-stub (KABOSU_I2C_STUB_BUS=0), besides the sim backends and the fake sysfs/proc tree the
 * suite runs everywhere. On the host the same file skips the i2c-stub part (no such bus there).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vm from '../../tools/vm/guest';

const reason = vm.vmUnavailableReason();
const it = reason ? test.skip : test;
if (reason) process.stdout.write(`test/vm skipped: ${reason}\n`);

it('hal contracts in the guest, hal/linux I2C on the kernel i2c-stub bus included', async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'kabosu-vm-'));
  try {
    const entry = await vm.bundleForGuest(join(__dirname, '../contract/hal.test.ts'), workDir, 'hal-contract.cjs');
    const r = await vm.bootGuest({
      workDir,
      env: { ...entry.env, KABOSU_I2C_STUB_BUS: '0', FORCE_COLOR: '0' },
      command: `node ${entry.guestPath}`,
      gpioLines: 0,
      timeoutMs: 200_000,
    });
    const out = r.stdout + r.stderr;
    process.stdout.write(`vm hal contracts: QEMU ready ${r.timings.readyWallMs} ms, run ${r.timings.wallMs} ms wall\n`);
    assert.is(r.code, 0, out.slice(-4000));
    assert.not.match(out, /i2c contract on linux skipped/, 'the i2c-stub contract ran');
    const total = Number(/Total:\s+(\d+)/.exec(out)?.[1]);
    const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1]);
    assert.ok(total > 0 && passed === total, `guest contract run: ${passed}/${total}\n${out.slice(-3000)}`);
    process.stdout.write(`  ${passed}/${total} contract tests passed in the guest\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});

test.run();
