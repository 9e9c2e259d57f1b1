import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { VirtualClock } from '../../../src/hal/clock';
import { RemoteHalClient, RemoteHalServer } from '../../../src/hal/remote';
import { FrameDecoder, encodeFrame } from '../../../src/hal/remote/frame';
import { KabosuError } from '../../../src/core/errors';
import { createSimMiner } from '../../../src/sim/miner';
import type { SimMiner } from '../../../src/sim/miner';
import { standInFactory } from '../sim/standInChain';
import { rejectsWith } from '../../helpers/rejects';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-remote-'));
let n = 0;
const sockPath = () => `unix:${join(dir, `hal${n++}.sock`)}`;

async function served(): Promise<{ m: SimMiner; clock: VirtualClock; server: RemoteHalServer; addr: string }> {
  const clock = new VirtualClock();
  const m = createSimMiner({ boardId: 'l3plus', seed: 5, clock, chainFactory: standInFactory(384), ambientC: 25 });
  const server = new RemoteHalServer(m.hal);
  const addr = await server.listen(sockPath());
  return { m, clock, server, addr };
}

async function errCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as KabosuError).code ?? 'untyped';
  }
}

test('describe reports the served miner: 4 chains, 2 sensor buses each, reset/present/led lines, fans', async () => {
  const { m, server, addr } = await served();
  const c = await RemoteHalClient.connect(addr);
  assert.is(c.topology.i2cBuses, m.hal.i2c.length);
  assert.equal(c.topology.sensorBuses, [2, 2, 2, 2]);
  assert.ok(c.topology.gpio.includes('reset.3') && c.topology.gpio.includes('present.0') && c.topology.gpio.includes('led.red'));
  assert.is(c.topology.fans, 1);
  await c.close();
  await server.close();
  await m.stop();
});

test('firmware powers a chain over the remote hal: PIC sendByte + reset line; the sim sees it', async () => {
  const { m, clock, server, addr } = await served();
  m.start();
  const c = await RemoteHalClient.connect(addr);
  const bus = c.i2c(0);
  for (const b of [0x55, 0xaa, 0x15, 0x01]) await bus.sendByte(0x51, b);
  await c.gpio('reset.1').write(0);
  clock.advance(500);
  await c.gpio('reset.1').write(1);
  clock.advance(1000);
  const s = m.state();
  assert.ok(s.chains[1]!.powered, 'chain 1 powered');
  assert.not.ok(s.chains[0]!.powered, 'chain 0 untouched');
  assert.is(await c.gpio('reset.1').read(), await m.hal.gpio.reset[1]!.read());
  assert.is(await c.gpio('present.2').read(), 1);
  await c.close();
  await server.close();
  await m.stop();
});

test('every I2cBus method answers as the local bus does (value or error code), sensor buses too', async () => {
  const { m, server, addr } = await served();
  const c = await RemoteHalClient.connect(addr);
  const local = m.hal.sensorBuses[2]![1]!;
  const remote = c.sensorBus(2, 1);
  for (let addrI = 0x40; addrI < 0x50; addrI++) {
    for (const reg of [0x00, 0x01, 0xfe]) {
      assert.is(await errCode(remote.readByte(addrI, reg)), await errCode(local.readByte(addrI, reg)));
    }
  }
  // Find the sensor's address by the local bus, then compare values.
  let sensorAddr = -1;
  for (let a = 0; a < 128 && sensorAddr < 0; a++) if ((await errCode(local.readByte(a, 0xfe))) === 'ok') sensorAddr = a;
  assert.ok(sensorAddr >= 0, 'a sensor answers on the sensor bus');
  assert.is(await remote.readByte(sensorAddr, 0xfe), await local.readByte(sensorAddr, 0xfe));
  assert.is(await errCode(remote.readWord(sensorAddr, 0x00)), await errCode(local.readWord(sensorAddr, 0x00)));
  assert.is(await errCode(remote.writeWord(sensorAddr, 0x09, 0x0102)), await errCode(local.writeWord(sensorAddr, 0x09, 0x0102)));
  assert.is(await errCode(remote.writeByte(sensorAddr, 0x09, 0)), await errCode(local.writeByte(sensorAddr, 0x09, 0)));
  assert.is(await errCode(remote.readBlock(sensorAddr, 0, 2)), await errCode(local.readBlock(sensorAddr, 0, 2)));
  assert.is(await errCode(remote.writeBlock(sensorAddr, 0, Uint8Array.of(1, 2))), await errCode(local.writeBlock(sensorAddr, 0, Uint8Array.of(1, 2))));
  assert.is(await errCode(remote.receiveByte(0x7f)), await errCode(local.receiveByte(0x7f)));
  await rejectsWith(c.sensorBus(9, 0).readByte(0x4c, 0), 'KBS_E_HAL_REMOTE_NO_DEVICE');
  await rejectsWith(c.gpio('nope').read(), 'KBS_E_HAL_REMOTE_NO_DEVICE');
  await c.close();
  await server.close();
  await m.stop();
});

test('fan PWM duty reaches the sim; tach reads the sim tach', async () => {
  const { m, clock, server, addr } = await served();
  m.start();
  const c = await RemoteHalClient.connect(addr);
  const pwm = c.pwm(0);
  await pwm.setDuty(0.8);
  assert.is(pwm.duty, 0.8);
  assert.is(m.hal.fans.pwm[0]!.duty, 0.8);
  clock.advance(5000);
  const rpm = await c.tach(1).readRpm();
  assert.is(rpm, await m.hal.fans.tach[1]!.readRpm());
  await rejectsWith(pwm.setDuty(1.5), 'KBS_E_HAL_PWM_RANGE');
  await rejectsWith(c.tach(7).readRpm(), 'KBS_E_HAL_REMOTE_NO_DEVICE');
  await c.close();
  await server.close();
  await m.stop();
});

test('a dead link: pending and later calls reject KBS_E_HAL_REMOTE_CLOSED (canceled), nothing hangs', async () => {
  // A server that answers describe and then goes silent, then hangs up.
  const path = join(dir, `silent${n++}.sock`);
  let hangUp: () => void = () => undefined;
  const srv: Server = createServer((s) => {
    const dec = new FrameDecoder();
    s.on('data', (ch) => {
      for (const msg of dec.push(ch)) {
        const id = (msg as { id: number }).id;
        if ((msg as { op: string }).op === 'describe') s.write(encodeFrame({ id, ok: true, value: { i2cBuses: 1, sensorBuses: [], gpio: ['reset.0'], fans: 0 } }));
      }
    });
    hangUp = () => s.destroy();
  });
  await new Promise<void>((r) => srv.listen(path, () => r()));
  const c = await RemoteHalClient.connect(`unix:${path}`, { timeoutMs: 5000 });
  const pending = c.gpio('reset.0').read();
  hangUp();
  try {
    await pending;
    assert.unreachable('should reject');
  } catch (e) {
    assert.instance(e, KabosuError);
    assert.is((e as KabosuError).code, 'KBS_E_HAL_REMOTE_CLOSED');
    assert.ok((e as KabosuError).canceled);
  }
  await rejectsWith(c.i2c(0).readByte(0x50, 0), 'KBS_E_HAL_REMOTE_CLOSED');
  assert.ok(c.closed);
  await c.close(); // else it reconnects to srv (the sim is still listening) and srv.close() waits for it
  await new Promise<void>((r) => srv.close(() => r()));
});

test('a silent server: a call rejects KBS_E_HAL_REMOTE_TIMEOUT naming what was awaited', async () => {
  const path = join(dir, `mute${n++}.sock`);
  const srv: Server = createServer((s) => {
    const dec = new FrameDecoder();
    s.on('data', (ch) => {
      for (const msg of dec.push(ch)) if ((msg as { op: string }).op === 'describe') s.write(encodeFrame({ id: (msg as { id: number }).id, ok: true, value: { i2cBuses: 1, sensorBuses: [], gpio: [], fans: 0 } }));
    });
  });
  await new Promise<void>((r) => srv.listen(path, () => r()));
  const c = await RemoteHalClient.connect(`unix:${path}`, { timeoutMs: 100 });
  try {
    await c.i2c(0).readByte(0x50, 0x10);
    assert.unreachable('should time out');
  } catch (e) {
    assert.is((e as KabosuError).code, 'KBS_E_HAL_REMOTE_TIMEOUT');
    assert.match((e as Error).message, /readByte addr=0x50 reg=0x10/);
  }
  await c.close();
  await new Promise<void>((r) => srv.close(() => r()));
});

test('a garbage-sending server is a protocol error, not a crash; connecting to nothing is a typed error', async () => {
  const path = join(dir, `junk${n++}.sock`);
  const srv: Server = createServer((s) => {
    s.on('error', () => undefined);
    s.resume(); // read so the client's hang-up is seen and srv.close() can finish
    s.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
  });
  await new Promise<void>((r) => srv.listen(path, () => r()));
  const code = await errCode(RemoteHalClient.connect(`unix:${path}`, { timeoutMs: 500 }));
  assert.ok(code === 'KBS_E_HAL_REMOTE_PROTOCOL', code);
  await new Promise<void>((r) => srv.close(() => r()));
  await rejectsWith(RemoteHalClient.connect(`unix:${join(dir, 'absent.sock')}`), 'KBS_E_HAL_REMOTE_CONNECT');
  await rejectsWith(RemoteHalClient.connect('not an address'), 'KBS_E_HAL_REMOTE_ADDRESS');
});

test('a worker thread opens its own connection and drives the same sim (as the interlock will)', async () => {
  const { m, server, addr } = await served();
  m.start();
  const clientPath = require.resolve('../../../src/hal/remote/client');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { RemoteHalClient } = require(workerData.clientPath);
    (async () => {
      const c = await RemoteHalClient.connect(workerData.addr);
      for (const b of [0x55, 0xaa, 0x15, 0x01]) await c.i2c(0).sendByte(0x52, b);
      await c.gpio('reset.2').write(1);
      const v = await c.gpio('reset.2').read();
      await c.close();
      parentPort.postMessage({ v });
    })().catch((e) => parentPort.postMessage({ err: String(e && e.code) }));
  `;
  const w = new Worker(code, { eval: true, workerData: { addr, clientPath }, execArgv: ['-r', 'tsx/cjs'] });
  const msg = await new Promise<{ v?: number; err?: string }>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  assert.equal(msg, { v: 1 });
  assert.is(await m.hal.gpio.reset[2]!.read(), 1);
  await server.close();
  await m.stop();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
