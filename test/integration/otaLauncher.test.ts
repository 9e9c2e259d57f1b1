/**
 * `kabosu launch run` as the unit runs it (Type=notify, NotifyAccess=all, WatchdogSec): systemd
 * addresses the watchdog to the launcher's pid; the daemon it starts from a slot must still send
 * READY=1 and WATCHDOG=1, and its SIGTERM stop (forwarded by the launcher) ends with STOPPING=1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startNotifyReceiver } from '../helpers/notifyReceiver';
import { OtaRig, BIN } from '../helpers/otaRig';
import { until } from '../helpers/until';

test('the daemon started from slot a by the launcher notifies READY=1, pings the watchdog meant for the launcher, stops cleanly', async () => {
  const rig = new OtaRig({ api: { http: { enabled: false }, cgminer: { enabled: false } } });
  const b = rig.build('v2.kbota', '0.2.0', 'l-2', rig.app('v2', `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`));
  assert.is(b.code, 0, b.stderr);
  assert.is(rig.cliSync(rig.installArgs('v2.kbota')).code, 0);
  const sock = join(rig.dir, 'notify.sock');
  const rx = await startNotifyReceiver(sock);
  // As systemd: WATCHDOG_PID is the main process (the launcher: `exec` keeps the shell's pid).
  const l = spawn('sh', ['-c', `WATCHDOG_PID=$$ exec "${process.execPath}" "${BIN}" launch run --config "${rig.config}" --data-dir "${rig.data}"`], {
    env: { ...rig.env, NOTIFY_SOCKET: sock, WATCHDOG_USEC: '400000' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  l.stdout!.on('data', (c) => (out += c));
  l.stderr!.on('data', (c) => (out += c));
  try {
    await until('READY=1', () => rx.got.some((m) => m.startsWith('READY=1')), 60_000, { detail: () => out.slice(-2000) });
    assert.match(out, '"slot":"a"');
    await until('two watchdog pings', () => rx.got.filter((m) => m === 'WATCHDOG=1').length >= 2, 5_000, { detail: () => JSON.stringify(rx.got) });
    const exited = new Promise<number | null>((r) => l.once('exit', (code) => r(code)));
    l.kill('SIGTERM');
    assert.is(await exited, 0, out.slice(-2000));
    assert.is(rx.got[rx.got.length - 1], 'STOPPING=1');
  } finally {
    if (l.exitCode === null) l.kill('SIGKILL');
    rx.close();
    rig.cleanup();
  }
});

test.run();
