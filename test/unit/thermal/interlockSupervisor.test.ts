/**
 * InterlockSupervisor: the worker thread against a real remote-hal server (an in-process
 * simulator served over a unix socket): failed start retried with backoff, trips relayed,
 * release, a dropped hal link (failed, then running when it is back), stop.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { RealClock, VirtualClock } from '../../../src/hal/clock';
import { RemoteHalServer } from '../../../src/hal/remote';
import { createSimMiner, type SimMiner } from '../../../src/sim/miner';
import { standInFactory } from '../sim/standInChain';
import { DEFAULT_INTERLOCK } from '../../../src/thermal/interlockRules';
import { InterlockSupervisor, workerRetryDelayMs, type InterlockSupervisorEvents } from '../../../src/thermal/interlockSupervisor';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-ilsup-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const log = pino({ level: 'silent' });
// Immersion: no fan rule (the served simulator's clock does not run, so its tachs read 0).
const limits = { ...DEFAULT_INTERLOCK, dangerousC: 85, coolBelowC: 65, immersion: true };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function miner(): SimMiner {
  return createSimMiner({ boardId: 'l3plus', seed: 5, clock: new VirtualClock(), chainFactory: standInFactory(384), ambientC: 25 });
}

async function until(what: string, ms: number, f: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('restart backoff doubles from the base and stops at the cap', () => {
  assert.equal([0, 1, 2, 3, 4, 5, 6, 40].map((a) => workerRetryDelayMs(a)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.is(workerRetryDelayMs(2, 50, 150), 150);
});

test('no hal yet: failed with the reason and retried; running once the hal is served; trips relayed; release re-arms the board; stop', async () => {
  const addr = `unix:${join(dir, 'a.sock')}`;
  const sup = new InterlockSupervisor({ clock: new RealClock(), log, worker: { hal: addr, boards: 4, sensorsPerBoard: 2, fans: 2, tickMs: 50 }, limits, powered: () => [true, false, false, false], retryBaseMs: 100, retryMaxMs: 200 });
  const states: InterlockSupervisorEvents['state'][] = [];
  const trips: InterlockSupervisorEvents['trip'][] = [];
  sup.events.on('state', (s) => states.push(s));
  sup.events.on('trip', (t) => trips.push(t));
  sup.start();
  assert.is(sup.state, 'starting');
  let server: RemoteHalServer | undefined;
  try {
    await until('failed', 5000, () => sup.state === 'failed');
    assert.match(sup.reason, /cannot start: .*retrying in 100 ms/);
    const m = miner();
    server = new RemoteHalServer(m.hal);
    await server.listen(addr);
    await until('running', 5000, () => sup.state === 'running');
    assert.ok(sup.restarts >= 1);
    await sleep(300);
    assert.equal(trips, [], 'a healthy board does not trip');
    m.control.inject({ fault: 'sensor-implausible', target: { chain: 0, sensor: 1 }, params: { value_c: 110 } });
    await until('trip', 2000, () => trips.length > 0);
    assert.is(trips[0].board, 0);
    assert.is(trips[0].reason, 'over_temp');
    assert.is(await m.hal.gpio.reset[0].read(), 0, 'the worker holds reset low');
    await sleep(300);
    assert.is(trips.length, 1, 'a tripped board is not judged again');
    sup.release(0);
    await until('second trip after release', 2000, () => trips.length === 2);
    await sup.stop();
    assert.is(sup.state, 'stopped');
    const n = states.length;
    await sleep(300);
    assert.is(states.length, n, 'no state change after stop (no restart of a stopped worker)');
  } finally {
    await sup.stop();
    await server?.close();
  }
});

test('new limits reach the running worker (thermal hot reload): a lower dangerous limit trips a board at ambient', async () => {
  const addr = `unix:${join(dir, 'c.sock')}`;
  const server = new RemoteHalServer(miner().hal);
  await server.listen(addr);
  const sup = new InterlockSupervisor({ clock: new RealClock(), log, worker: { hal: addr, boards: 4, sensorsPerBoard: 2, fans: 2, tickMs: 50 }, limits, powered: () => [false, true, false, false] });
  const trips: InterlockSupervisorEvents['trip'][] = [];
  sup.events.on('trip', (t) => trips.push(t));
  try {
    sup.start();
    await until('running', 5000, () => sup.state === 'running');
    await sleep(300);
    assert.equal(trips, []);
    sup.setLimits({ ...limits, dangerousC: 20, coolBelowC: 10 });
    await until('trip', 2000, () => trips.length > 0);
    assert.equal(trips.map((t) => [t.board, t.reason]), [[1, 'over_temp']], 'only the powered board');
  } finally {
    await sup.stop();
    await server.close();
  }
});

test('a worker thread that dies is reported failed and restarted with backoff', async () => {
  const addr = `unix:${join(dir, 'd.sock')}`;
  const server = new RemoteHalServer(miner().hal);
  await server.listen(addr);
  const sup = new InterlockSupervisor({ clock: new RealClock(), log, worker: { hal: addr, boards: 4, sensorsPerBoard: 2, fans: 2, tickMs: 50 }, limits, powered: () => [false, false, false, false], retryBaseMs: 100 });
  try {
    sup.start();
    await until('running', 5000, () => sup.state === 'running');
    // The thread ends behind the supervisor's back (as a crash or an out-of-memory would).
    await (sup as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
    await until('failed', 2000, () => sup.state === 'failed');
    assert.match(sup.reason, /worker thread ended: .*retrying in 100 ms/);
    await until('running again', 5000, () => sup.state === 'running');
    assert.is(sup.restarts, 1);
  } finally {
    await sup.stop();
    await server.close();
  }
});

test('a dropped hal link: failed while it is down, running again when a server is back on the same path', async () => {
  const addr = `unix:${join(dir, 'b.sock')}`;
  let server = new RemoteHalServer(miner().hal);
  await server.listen(addr);
  const sup = new InterlockSupervisor({ clock: new RealClock(), log, worker: { hal: addr, boards: 4, sensorsPerBoard: 2, fans: 2, tickMs: 50 }, limits, powered: () => [false, false, false, false] });
  try {
    sup.start();
    await until('running', 5000, () => sup.state === 'running');
    await server.close();
    await until('failed', 3000, () => sup.state === 'failed');
    assert.match(sup.reason, /link lost/);
    server = new RemoteHalServer(miner().hal);
    await server.listen(addr);
    await until('running again', 8000, () => sup.state === 'running');
    assert.match(sup.reason, /link back/);
  } finally {
    await sup.stop();
    await server.close();
  }
});

test.run();
