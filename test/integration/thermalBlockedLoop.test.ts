/**
 * The interlock acts while the main event loop is blocked: the simulator runs in another
 * process (`kabosu sim run --hal`), the interlock worker thread reaches it through the remote
 * hal, and a checker thread polls the simulator's TRUE state. The main thread powers chain 0,
 * injects a fault, then busy-loops 3 s; the board must be off (sim truth) within 1 s, while the
 * main thread is still blocked.
 */
import { test } from 'uvu';
import { startSimTruthChecker } from '../helpers/simTruthChecker';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { RemoteHalClient } from '../../src/hal/remote';
import { callControl } from '../../src/sim/control/client';
import { DEFAULT_INTERLOCK } from '../../src/thermal/interlockRules';
import { InterlockThread } from '../../src/thermal/interlockThread';

const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-thblk-'));

async function startSim(): Promise<{ proc: ChildProcess; info: { control: string; hal: string } }> {
  const proc = spawn(process.execPath, [bin, 'sim', 'run', '--board', 'l3plus', '--seed', '4', '--json', '--control', `unix:${join(dir, 'ctl.sock')}`, '--hal', `unix:${join(dir, 'hal.sock')}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KABOSU_LOG_LEVEL: 'warn' } });
  let err = '';
  proc.stderr!.on('data', (c) => (err += String(c)));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`sim exited ${code}: ${err}`)));
    setTimeout(() => reject(new Error(`sim did not start: ${err}`)), 20000).unref();
  });
  return { proc, info: JSON.parse(line) };
}

test('board powered off within 1 s by the sim truth while the main event loop is blocked for 3 s', async () => {
  const { proc, info } = await startSim();
  let thread: InterlockThread | undefined;
  let checker: Worker | undefined;
  try {
    const hal = await RemoteHalClient.connect(info.hal);
    for (const b of [0x55, 0xaa, 0x15, 0x01]) await hal.i2c(0).sendByte(0x50, b); // PIC 0: DC-DC on
    await hal.gpio('reset.0').write(0);
    await new Promise((r) => setTimeout(r, 120));
    await hal.gpio('reset.0').write(1);
    await hal.pwm(0).setDuty(0.8);
    await new Promise((r) => setTimeout(r, 2500)); // fans spin up (tach counts over a 1 s gate)
    const s0 = (await callControl(info.control, 'GET', '/v1/state?chips=false')).body as { chains: Array<{ powered: boolean }> };
    assert.ok(s0.chains[0].powered, 'chain 0 powered before the fault');
    thread = await InterlockThread.start({ hal: info.hal, boards: 4, sensorsPerBoard: 2, fans: 2, tickMs: 100, limits: { ...DEFAULT_INTERLOCK, dangerousC: 85, coolBelowC: 65, immersion: false } });
    const trips: Array<{ board: number; reason: string; atWallMs: number }> = [];
    thread.events.on('trip', (t) => trips.push(t));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(trips.filter((t) => t.board === 0), [], 'no trip of board 0 before the fault');
    const s1 = (await callControl(info.control, 'GET', '/v1/state?chips=false')).body as { chains: Array<{ powered: boolean }> };
    assert.ok(s1.chains[0].powered, 'chain 0 still powered just before the fault');
    checker = startSimTruthChecker(info.control, 50);
    let offAt: number | null = null;
    checker.on('message', (m: { offAtWallMs: number }) => { offAt = m.offAtWallMs; });
    checker.postMessage('go');
    await callControl(info.control, 'POST', '/v1/faults', { fault: 'sensor-implausible', target: { chain: 0, sensor: 0 }, params: {} });
    const injectedAt = Date.now();
    while (Date.now() - injectedAt < 3000) { /* main event loop blocked */ }
    const blockEnd = Date.now();
    await new Promise((r) => setTimeout(r, 200)); // deliver the threads' messages
    assert.ok(offAt !== null, 'the checker saw chain 0 off');
    const latency = offAt! - injectedAt;
    console.log(`board 0 off ${latency} ms after the fault (main loop blocked until +${blockEnd - injectedAt} ms)`);
    assert.ok(latency <= 1000, `off within 1 s (took ${latency} ms)`);
    assert.ok(offAt! < blockEnd, 'while the main loop was blocked');
    assert.ok(trips.some((t) => t.board === 0 && t.reason === 'implausible_reading'), `trip reported: ${JSON.stringify(trips)}`);
    await hal.close();
  } finally {
    await thread?.stop();
    await checker?.terminate();
    if (proc.exitCode === null) proc.kill('SIGTERM');
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
