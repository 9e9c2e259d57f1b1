import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/hal/clock';
import { SimI2cBus } from '../../../src/hal/sim/i2c';
import { PicFramed, framedRequest } from '../../../src/sim/devices/picFramed';
import { createSimMiner } from '../../../src/sim/miner';
import { standInFactory } from './standInChain';

function rig(): { clock: VirtualClock; bus: SimI2cBus; pic: PicFramed } {
  const clock = new VirtualClock();
  const bus = new SimI2cBus('i2c-0');
  const pic = new PicFramed({ clock, heartbeatTimeoutMs: 30_000, softwareVersion: 0x80, initialCode: 113 });
  bus.attach(0x20, pic);
  return { clock, bus, pic };
}

async function send(bus: SimI2cBus, bytes: number[], replyLen: number): Promise<number[]> {
  for (const b of bytes) await bus.sendByte(0x20, b);
  const out: number[] = [];
  for (let i = 0; i < replyLen; i++) out.push(await bus.receiveByte(0x20));
  return out;
}

test('framed request bytes follow chips.md §10.2 (len = data + 4, 16-bit sum big-endian)', () => {
  assert.equal(framedRequest(0x15, [1]), [0x55, 0xaa, 0x05, 0x15, 0x01, 0x00, 0x1b]);
  assert.equal(framedRequest(0x10, [0xb0, 0, 0]), [0x55, 0xaa, 0x07, 0x10, 0xb0, 0, 0, 0x00, 0xc7]);
});

test('set voltage, enable and version answer as the L7 PIC does', async () => {
  const { bus, pic } = rig();
  assert.equal(await send(bus, framedRequest(0x10, [120, 0, 0]), 2), [0x10, 0x01]);
  assert.is(pic.code, 120);
  assert.equal(await send(bus, framedRequest(0x15, [1]), 2), [0x15, 0x01]);
  assert.ok(pic.enabled);
  assert.equal(await send(bus, framedRequest(0x17), 5), [0x05, 0x17, 0x80, 0x00, 0x9c]);
  const hb = await send(bus, framedRequest(0x16), 6);
  assert.equal(hb.slice(0, 4), [0x06, 0x16, 1, 120]);
  assert.is((hb[4]! << 8) | hb[5]!, 0x06 + 0x16 + 1 + 120);
});

test('a bad checksum or unknown command is dropped without a reply', async () => {
  const { bus, pic } = rig();
  const bad = framedRequest(0x15, [1]);
  bad[6] ^= 0xff;
  assert.equal(await send(bus, bad, 2), [0xff, 0xff]);
  assert.not.ok(pic.enabled);
  assert.equal(await send(bus, framedRequest(0x42), 2), [0xff, 0xff]);
  assert.is(pic.framesDropped, 2);
});

test('a frame left incomplete for over a second is abandoned', async () => {
  const { bus, pic, clock } = rig();
  await send(bus, [0x55, 0xaa, 0x40, 0x01], 0);
  clock.advance(1001);
  assert.equal(await send(bus, framedRequest(0x17), 5), [0x05, 0x17, 0x80, 0x00, 0x9c]);
  assert.is(pic.framesDropped, 1);
});

test('heartbeat watchdog: DC-DC off 30 s after the last heartbeat', async () => {
  const { bus, pic, clock } = rig();
  await send(bus, framedRequest(0x15, [1]), 2);
  clock.advance(20_000);
  await send(bus, framedRequest(0x16), 6);
  clock.advance(29_000);
  pic.checkWatchdog();
  assert.ok(pic.enabled);
  clock.advance(1_000);
  pic.checkWatchdog();
  assert.not.ok(pic.enabled);
  assert.is(pic.heartbeatTrips, 1);
});

test('fuzz: random byte streams never break the framed PIC', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 }), (writes) => {
      const clock = new VirtualClock();
      const pic = new PicFramed({ clock, heartbeatTimeoutMs: 30_000, softwareVersion: 0x80, initialCode: 113 });
      for (const w of writes) {
        try {
          pic.write(w);
        } catch (e) {
          if (!(e instanceof Error) || !/busy/.test(e.message)) throw e;
          clock.advance(1000);
        }
      }
      clock.advance(1001); // a pause abandons any half-received frame
      pic.read(256);
      pic.write(Uint8Array.from(framedRequest(0x17)));
      const r = [...pic.read(5)];
      return r[1] === 0x17 && r[2] === 0x80;
    }),
    { seed, numRuns: 300 },
  );
});

test('the simulated L7 powers its chains through the framed PIC', async () => {
  const clock = new VirtualClock();
  const m = createSimMiner({ boardId: 'l7', seed: 3, clock, chainFactory: standInFactory(1850) });
  for (let c = 0; c < 3; c++) {
    for (const b of framedRequest(0x15, [1])) await m.hal.i2c[0]!.sendByte(0x20 + c, b);
    await m.hal.gpio.reset[c]!.write(0);
    await m.hal.gpio.reset[c]!.write(1);
  }
  const s = m.state();
  assert.ok(s.chains.every((c) => c.powered));
  assert.ok(Math.abs(s.hashrateHps - 9.5e9) / 9.5e9 < 0.01, `${s.hashrateHps}`);
  await m.stop();
});

test.run();
