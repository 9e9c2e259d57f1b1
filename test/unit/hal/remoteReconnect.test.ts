/** RemoteHalClient reconnect over a real unix socket: the server goes away, a new one comes up on the same path. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/hal/clock';
import { RemoteHalClient, RemoteHalServer, reconnectDelay, type RemoteHalEvents } from '../../../src/hal/remote';
import { KabosuError } from '../../../src/core/errors';
import { createSimMiner } from '../../../src/sim/miner';
import { standInFactory } from '../sim/standInChain';
import { rejectsWith } from '../../helpers/rejects';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-rrc-'));
let n = 0;

async function serve(addr: string) {
  const m = createSimMiner({ boardId: 'l3plus', seed: 5, clock: new VirtualClock(), chainFactory: standInFactory(384), ambientC: 25 });
  const server = new RemoteHalServer(m.hal);
  await server.listen(addr);
  return { m, server, stop: async () => { await server.close(); await m.stop(); } };
}

function record(c: RemoteHalClient): Array<{ ev: keyof RemoteHalEvents; p: unknown }> {
  const log: Array<{ ev: keyof RemoteHalEvents; p: unknown }> = [];
  for (const ev of ['disconnected', 'reconnecting', 'reconnected', 'gaveUp'] as const) c.events.on(ev, (p) => log.push({ ev, p }));
  return log;
}

test('reconnectDelay doubles from the base, is capped, and jitters within [50%, 100%]', () => {
  assert.is(reconnectDelay(0, 100, 5000, 0.999999), 100);
  assert.is(reconnectDelay(0, 100, 5000, 0), 50);
  assert.is(reconnectDelay(3, 100, 5000, 0.999999), 800);
  for (const a of [6, 10, 50, 1e6]) {
    const lo = reconnectDelay(a, 100, 5000, 0);
    const hi = reconnectDelay(a, 100, 5000, 0.999999);
    assert.equal([lo, hi], [2500, 5000]);
  }
});

test('server dies: in-flight and later calls reject typed (fast, not by timeout); a new server on the same path: calls succeed again', async () => {
  const addr = `unix:${join(dir, `hal${n++}.sock`)}`;
  const a = await serve(addr);
  const c = await RemoteHalClient.connect(addr, { timeoutMs: 30_000, reconnectBaseMs: 20, reconnectMaxMs: 100 });
  const events = record(c);
  await c.gpio('reset.1').write(0);
  assert.is(await c.gpio('reset.1').read(), 0);
  assert.is(c.state, 'connected');

  const gone = c.events.next('disconnected');
  await a.stop();
  const d = await gone;
  assert.equal([d.address, d.code], [addr, 'KBS_E_HAL_REMOTE_CLOSED']);
  assert.is(c.state, 'reconnecting');
  assert.ok(c.closed);
  // calls while down reject at once with the link error (the 30 s call timeout would fail this test)
  for (const p of [c.gpio('reset.1').read(), c.i2c(0).readByte(0x50, 0), c.sensorBus(0, 0).readWord(0x4c, 0), c.tach(0).readRpm(), c.pwm(0).setDuty(0.5)]) {
    await rejectsWith(p, 'KBS_E_HAL_REMOTE_CLOSED');
  }
  await new Promise((r) => setTimeout(r, 150)); // a few failed attempts against nothing
  assert.ok(events.filter((e) => e.ev === 'reconnecting').length >= 2, JSON.stringify(events));

  const b = await serve(addr);
  const back = await c.events.next('reconnected');
  assert.is(back.topologyChanged, false);
  assert.ok(back.attempts >= 2);
  assert.is(c.state, 'connected');
  const fresh = await b.m.hal.gpio.reset[1]!.read();
  assert.is(fresh, 1, 'a fresh sim idles the reset line high');
  assert.is(await c.gpio('reset.1').read(), fresh, 'reads reach the new sim');
  await c.gpio('reset.1').write(0);
  assert.is(await b.m.hal.gpio.reset[1]!.read(), 0, 'the write reached the new sim');
  assert.is(events.filter((e) => e.ev === 'disconnected').length, 1);
  await c.close();
  assert.is(c.state, 'closed');
  await b.stop();
});

test('a pending call when the link drops rejects KBS_E_HAL_REMOTE_CLOSED (canceled); the client then comes back', async () => {
  const addr = `unix:${join(dir, `hal${n++}.sock`)}`;
  const a = await serve(addr);
  const c = await RemoteHalClient.connect(addr, { timeoutMs: 30_000, reconnectBaseMs: 10, reconnectMaxMs: 40 });
  // hold a request in flight: the server's socket is destroyed before it can answer
  const inFlight = c.gpio('reset.0').read();
  const closing = a.stop();
  try { await inFlight; } catch (e) { assert.instance(e, KabosuError); assert.is((e as KabosuError).code, 'KBS_E_HAL_REMOTE_CLOSED'); }
  await closing;
  const b = await serve(addr);
  await c.events.next('reconnected');
  await c.gpio('reset.0').write(1);
  assert.is(await b.m.hal.gpio.reset[0]!.read(), 1, 'the write reached the new sim');
  assert.is(await c.gpio('reset.0').read(), 1);
  await c.close();
  await b.stop();
});

test('reconnect: false stays down; maxReconnectAttempts gives up and closes; close() stops retrying', async () => {
  const addr1 = `unix:${join(dir, `hal${n++}.sock`)}`;
  const a = await serve(addr1);
  const off = await RemoteHalClient.connect(addr1, { reconnect: false });
  const limited = await RemoteHalClient.connect(addr1, { reconnectBaseMs: 5, reconnectMaxMs: 10, maxReconnectAttempts: 3 });
  const stopped = await RemoteHalClient.connect(addr1, { reconnectBaseMs: 5, reconnectMaxMs: 10 });
  const offEvents = record(off);
  const stoppedEvents = record(stopped);
  const gaveUp = limited.events.next('gaveUp');
  await a.stop();
  assert.is((await gaveUp).attempts, 3);
  assert.is(limited.state, 'closed');
  await new Promise((r) => setTimeout(r, 30));
  await stopped.close();
  const b = await serve(addr1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(offEvents.map((e) => e.ev), ['disconnected']);
  assert.is(off.state, 'reconnecting');
  await rejectsWith(off.gpio('reset.0').read(), 'KBS_E_HAL_REMOTE_CLOSED');
  assert.not.ok(stoppedEvents.some((e) => e.ev === 'reconnected'));
  await rejectsWith(stopped.gpio('reset.0').read(), 'KBS_E_HAL_REMOTE_CLOSED');
  await rejectsWith(limited.gpio('reset.0').read(), 'KBS_E_HAL_REMOTE_CLOSED');
  await off.close();
  await b.stop();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
