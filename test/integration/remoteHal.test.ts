/**
 * The remote hal across processes: a real `kabosu sim run --hal unix:PATH` process, the firmware's
 * client in this process. The sim keeps serving while this process is busy, and when the sim dies
 * every call rejects with a typed error instead of hanging.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RemoteHalClient } from '../../src/hal/remote';
import { callControl } from '../../src/sim/control/client';
import { rejectsWith } from '../helpers/rejects';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-rhal-'));
const bin = join(__dirname, '../../bin/kabosu.js');

async function startSim(extra: string[] = []): Promise<{ proc: ChildProcess; info: { control: string; hal: string; ptys: string[] } }> {
  const proc = spawn(process.execPath, [bin, 'sim', 'run', '--board', 'l3plus', '--seed', '3', '--json', '--control', `unix:${join(dir, 'ctl.sock')}`, '--hal', `unix:${join(dir, 'hal.sock')}`, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KABOSU_LOG_LEVEL: 'warn' } });
  let err = '';
  proc.stderr!.on('data', (c) => (err += String(c)));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`sim exited ${code}: ${err}`)));
    setTimeout(() => reject(new Error(`sim did not start in 20 s: ${err}`)), 20000).unref();
  });
  return { proc, info: JSON.parse(line) as { control: string; hal: string; ptys: string[] } };
}

test('kabosu sim run --hal: a firmware in another process powers a chain through the PIC and reset line', async () => {
  const { proc, info } = await startSim();
  try {
    assert.is(info.hal, `unix:${join(dir, 'hal.sock')}`);
    const c = await RemoteHalClient.connect(info.hal);
    assert.equal(c.topology.sensorBuses, [2, 2, 2, 2]);
    for (const b of [0x55, 0xaa, 0x15, 0x01]) await c.i2c(0).sendByte(0x50, b);
    await c.gpio('reset.0').write(0);
    await new Promise((r) => setTimeout(r, 50));
    await c.gpio('reset.0').write(1);
    await c.pwm(0).setDuty(0.6);
    // Block this process's event loop: the sim, in its own process, keeps running and answers after.
    const t0 = Date.now();
    while (Date.now() - t0 < 300) {
      /* busy */
    }
    const r = await callControl(info.control, 'GET', '/v1/state?chips=false');
    const s = r.body as { chains: Array<{ powered: boolean }> };
    assert.ok(s.chains[0]!.powered, 'chain 0 powered in the sim process');
    assert.not.ok(s.chains[1]!.powered);
    // The sim dies: calls reject with a typed, canceled error; none hangs.
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    await rejectsWith(c.gpio('reset.0').read(), 'KBS_E_HAL_REMOTE_CLOSED');
    await c.close();
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  }
});

test('the sim process is killed and started again on the same path: the client reconnects and calls succeed again', async () => {
  const first = await startSim();
  let second: Awaited<ReturnType<typeof startSim>> | undefined;
  const c = await RemoteHalClient.connect(first.info.hal, { reconnectBaseMs: 50, reconnectMaxMs: 500 });
  try {
    const seen: string[] = [];
    c.events.on('disconnected', (e) => seen.push(`disconnected ${e.code}`));
    c.events.on('reconnected', (e) => seen.push(`reconnected topologyChanged=${e.topologyChanged}`));
    await c.gpio('reset.2').write(1);
    const exited = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL'); // no cleanup: the stale socket file stays, as after a crash
    await exited;
    await rejectsWith(c.i2c(0).readByte(0x50, 0), 'KBS_E_HAL_REMOTE_CLOSED');
    assert.is(c.state, 'reconnecting');
    const back = c.events.next('reconnected');
    second = await startSim();
    await back;
    assert.equal(seen, ['disconnected KBS_E_HAL_REMOTE_CLOSED', 'reconnected topologyChanged=false']);
    for (const b of [0x55, 0xaa, 0x15, 0x01]) await c.i2c(0).sendByte(0x50, b);
    await c.pwm(0).setDuty(0.4);
    assert.type(await c.tach(0).readRpm(), 'number');
    const r = await callControl(second.info.control, 'GET', '/v1/state?chips=false');
    const st = r.body as { chains: Array<{ powered: boolean }> };
    assert.ok(st.chains[0]!.powered, 'chain 0 powered in the new sim process');
  } finally {
    await c.close();
    for (const p of [first.proc, second?.proc]) if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
