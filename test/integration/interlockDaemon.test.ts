/**
 * The daemon starts the out-of-event-loop interlock (sim-remote backend). Three parts in real
 * processes: `kabosu sim run --pty --hal` and `kabosu pool` as children, the daemon in THIS
 * process (startDaemon), so the test can block the daemon's main event loop by busy-looping.
 * A checker thread polls the simulator's TRUE state (control API): after an over-temperature
 * reading is injected, board 0 must be unpowered within 1 s while the loop is still blocked;
 * afterwards status shows the worker's trip and the board stays locked off. Then the simulator
 * is killed and restarted on the same hal path: the worker goes `failed`, then `running`.
 */
import { test } from 'uvu';
import { startSimTruthChecker } from '../helpers/simTruthChecker';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../../src/app/daemon';
import type { DaemonStatus } from '../../src/core/minerApi';
import { callControl } from '../../src/sim/control/client';
import { KabosuProcs } from '../helpers/kabosuProcs';

const k = new KabosuProcs('kabosu-ildmn-');
const ctl = `unix:${join(k.dir, 'ctl.sock')}`;
const halAddr = `unix:${join(k.dir, 'hal.sock')}`;
const simArgs = ['sim', 'run', '--board', 'l3plus', '--seed', '4', '--pty', '--json', '--control', ctl, '--hal', halAddr];
let daemon: Daemon | undefined;
let logs = '';
const sink = new Writable({ write(c, _e, cb) { logs += String(c); if (logs.length > 4e6) logs = logs.slice(-2e6); cb(); } });

test.after(async () => {
  await daemon?.stop();
  await k.cleanup();
});

type Chains = { chains: Array<{ powered: boolean }> };
const simState = async (): Promise<Chains> => (await callControl(ctl, 'GET', '/v1/state?chips=false')).body as Chains;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, f: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out (${ms} ms) waiting for ${what}\n${logs.slice(-3000)}`);
    await sleep(100);
  }
}

const interlock = (): NonNullable<DaemonStatus['thermal']>['interlock'] | undefined => daemon!.status().thermal?.interlock;

/** Injects 110 C on board 0, blocks this (the daemon's) main loop 2.5 s; board 0 must go off (sim truth) within 1 s, during the block. */
async function blockedLoopTrip(label: string): Promise<void> {
  const checker = startSimTruthChecker(ctl, 20);
  try {
    let offAt: number | null = null;
    checker.on('message', (m: { offAtWallMs: number }) => { offAt = m.offAtWallMs; });
    checker.postMessage('go');
    await sleep(100);
    // 110 C on sensor 0 of board 0: plausible, above dangerous (l3plus 85 C).
    await callControl(ctl, 'POST', '/v1/faults', { fault: 'sensor-implausible', target: { chain: 0, sensor: 0 }, params: { value_c: 110 } });
    const injectedAt = Date.now();
    while (Date.now() - injectedAt < 2500) { /* the daemon's main event loop is blocked */ }
    const blockEnd = Date.now();
    await sleep(300); // the threads' messages arrive
    assert.ok(offAt !== null, 'the checker saw chain 0 off');
    const latency = offAt! - injectedAt;
    console.log(`${label}: board 0 off ${latency} ms after the fault (daemon main loop blocked until +${blockEnd - injectedAt} ms)`);
    assert.ok(latency <= 1000, `off within 1 s (took ${latency} ms)`);
    assert.ok(offAt! < blockEnd, 'while the main loop was blocked');
  } finally {
    await checker.terminate();
  }
}

test('sim-remote daemon: the interlock worker powers board 0 off within 1 s (sim truth) while the main event loop is blocked', async () => {
  const sim = k.start(simArgs);
  const pool = k.start(['pool', '--port', '0', '--difficulty', '4096', '--block-interval', '600', '--job-interval', '600']);
  const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
  const poolUrl = (await pool.firstLine).trim();
  const configPath = join(k.dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({
    version: 1,
    mining: { enabled: true },
    pools: [{ name: 'test', url: poolUrl, user: 'il.worker' }],
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    hashboards: { backend: 'sim-remote', model: 'l3plus', simRemote: { hal: info.hal, ptys: info.ptys, pow: 'scrypt-sim', interlockWorker: true } },
  }));
  const dataDir = join(k.dir, 'data');
  daemon = await startDaemon({ paths: { configPath, dataDir, socketPath: join(dataDir, 'kabosu.sock') }, dev: false, env: k.env, logDestination: sink });
  await until('worker running', 15_000, () => interlock()?.worker === 'running');
  assert.match(interlock()!.worker_reason!, /hal\.sock/);
  await sleep(500); // a few worker ticks on a healthy board: no trip
  assert.is(interlock()!.trips, 0, logs.slice(-2000));
  assert.ok((await simState()).chains[0].powered, 'chain 0 powered before the fault');

  await blockedLoopTrip('first');
  const il = await until('the trip in status', 3000, () => (interlock()?.trips ?? 0) > 0 && interlock());
  assert.is(il.last_trip?.board, 0);
  assert.is(il.last_trip?.reason, 'over_temp');
  assert.is(il.last_trip?.path, 'worker', 'the worker saw it first (the main loop was blocked)');
  assert.is(il.worker_trips, 1);
  assert.is(il.trips, 1, 'the main thread did not count the same trip twice');
  const ev = daemon.control.recentEvents().find((e) => e.kind === 'interlock_trip');
  assert.is(ev?.source, 'interlock-worker');
  assert.equal(ev?.data, { board: 0, reason: 'over_temp', path: 'worker' });
  // Locked off: still unpowered a while later, by the sim's truth and by status.
  await sleep(1500);
  assert.not.ok((await simState()).chains[0].powered, 'board 0 stays off');
  assert.ok((await simState()).chains[1].powered, 'board 1 untouched');
  assert.is(daemon.status().thermal!.boards[0].state, 'tripped');
  await callControl(ctl, 'DELETE', '/v1/faults');
});

test('after the cool-down and a clean re-init the worker is released: it trips board 0 again with the main loop blocked', async () => {
  await until('board 0 restored', 90_000, () => daemon!.control.recentEvents().some((e) => e.kind === 'board_restored' && e.data?.board === 0));
  assert.ok((await simState()).chains[0].powered, 'board 0 powered again');
  await sleep(500);
  await blockedLoopTrip('after release');
  await until('second worker trip', 3000, () => interlock()?.worker_trips === 2);
  assert.is(interlock()!.last_trip?.path, 'worker');
  await callControl(ctl, 'DELETE', '/v1/faults');
});

test('the interlock worker survives a hal connection drop: failed while the simulator is gone, running again after it returns', async () => {
  const simProc = k.procs[0];
  const gone = new Promise((r) => simProc.once('exit', r));
  simProc.kill('SIGKILL'); // no clean-up: as after a crash
  await gone;
  const failed = await until('worker failed', 5000, () => interlock()?.worker === 'failed' && interlock());
  assert.match(failed.worker_reason!, /link lost/);
  const again = k.start(simArgs);
  await again.firstLine;
  await until('worker running again', 15_000, () => interlock()?.worker === 'running');
  const kinds = daemon!.control.recentEvents().map((e) => e.kind);
  assert.ok(kinds.includes('interlock_worker_failed'), kinds.join(','));
  assert.ok(kinds.includes('interlock_worker_running'), kinds.join(','));
  assert.match(logs, /"level":50[^\n]*interlock worker failed/);
});

test('a hot-reloaded thermal config reaches the thermal component (limits in status)', async () => {
  const configPath = join(k.dir, 'config.json');
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(configPath, JSON.stringify({ ...cfg, thermal: { targetC: 70, hotC: 80, dangerousC: 84 } }));
  await until('new limits in status', 10_000, () => daemon!.status().thermal?.dangerous_c === 84);
  assert.is(daemon!.status().thermal!.target_c, 70);
  assert.match(logs, /thermal limits reloaded/);
});

test('daemon stop ends the worker thread', async () => {
  await daemon!.stop();
  assert.is(daemon!.status().thermal?.interlock.worker, 'stopped');
  daemon = undefined;
});

test.run();
