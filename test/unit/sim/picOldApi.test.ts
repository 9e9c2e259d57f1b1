import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejectsWith } from '../../helpers/rejects';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/hal/clock';
import { SimI2cBus } from '../../../src/hal/sim/i2c';
import { PicOldApi } from '../../../src/sim/devices/picOldApi';


async function picCmd(bus: SimI2cBus, addr: number, bytes: number[], replyLen = 0): Promise<number[]> {
  for (const b of [0x55, 0xaa, ...bytes]) await bus.sendByte(addr, b);
  const out: number[] = [];
  for (let i = 0; i < replyLen; i++) out.push(await bus.receiveByte(addr));
  return out;
}

function picOnBus(clock: VirtualClock): { bus: SimI2cBus; pic: PicOldApi; outputs: Array<[boolean, number]> } {
  const bus = new SimI2cBus('i2c-0');
  const outputs: Array<[boolean, number]> = [];
  const pic = new PicOldApi({ clock, heartbeatTimeoutMs: 30_000, softwareVersion: 3, initialCode: 180, onOutput: (e, c) => outputs.push([e, c]) });
  bus.attach(0x50, pic);
  return { bus, pic, outputs };
}

test('PIC: version, voltage set and readback, enable drives the DC-DC output', async () => {
  const clock = new VirtualClock();
  const { bus, pic, outputs } = picOnBus(clock);
  assert.equal(await picCmd(bus, 0x50, [0x17], 1), [0x03]);
  assert.not.ok(pic.enabled, 'DC-DC starts off');
  await picCmd(bus, 0x50, [0x10, 200]);
  assert.equal(await picCmd(bus, 0x50, [0x18], 1), [200]);
  await picCmd(bus, 0x50, [0x15, 1]);
  assert.ok(pic.enabled);
  await picCmd(bus, 0x50, [0x15, 0]);
  assert.not.ok(pic.enabled);
  assert.equal(outputs, [[false, 200], [true, 200], [false, 200]]);
});

test('PIC: without heartbeats the DC-DC turns off after 30 s; heartbeats keep it on', async () => {
  const clock = new VirtualClock();
  const { bus, pic } = picOnBus(clock);
  await picCmd(bus, 0x50, [0x15, 1]);
  for (let i = 0; i < 10; i++) {
    clock.advance(10_000);
    await picCmd(bus, 0x50, [0x16]);
  }
  pic.checkWatchdog();
  assert.ok(pic.enabled, 'kept on by heartbeats every 10 s');
  clock.advance(29_999);
  pic.checkWatchdog();
  assert.ok(pic.enabled);
  clock.advance(1);
  pic.checkWatchdog();
  assert.not.ok(pic.enabled);
  assert.is(pic.heartbeatTrips, 1);
});

test('PIC: one-transaction writes work too; garbage before a frame is dropped and counted', async () => {
  const clock = new VirtualClock();
  const { bus, pic } = picOnBus(clock);
  await bus.i2cWrite(0x50, Uint8Array.of(0x00, 0x12, 0x55, 0x55, 0xaa, 0x10, 0x40));
  assert.is(pic.code, 0x40);
  assert.ok(pic.framesDropped >= 2);
  await bus.i2cWrite(0x50, Uint8Array.of(0x55, 0xaa, 0x99, 0x55, 0xaa, 0x18));
  assert.is(await bus.receiveByte(0x50), 0x40);
});

test('PIC: board id round-trips; reset makes it busy (NACK) and turns the DC-DC off', async () => {
  const clock = new VirtualClock();
  const { bus, pic } = picOnBus(clock);
  const id = [...Buffer.from('KBS-L3P-0001')];
  await picCmd(bus, 0x50, [0x12, ...id]);
  assert.equal(await picCmd(bus, 0x50, [0x13], 12), id);
  await picCmd(bus, 0x50, [0x15, 1]);
  await picCmd(bus, 0x50, [0x07]);
  assert.not.ok(pic.enabled);
  await rejectsWith(bus.sendByte(0x50, 0x55), 'KBS_E_I2C_NACK');
  clock.advance(600);
  assert.equal(await picCmd(bus, 0x50, [0x17], 1), [3]);
});

test('PIC: flash pointer, write and read back 16 bytes', async () => {
  const clock = new VirtualClock();
  const { bus } = picOnBus(clock);
  const data = Array.from({ length: 16 }, (_, i) => i * 3);
  await picCmd(bus, 0x50, [0x01, 0x0f, 0xa0]);
  await picCmd(bus, 0x50, [0x02, ...data]);
  await picCmd(bus, 0x50, [0x05]);
  clock.advance(500);
  await picCmd(bus, 0x50, [0x01, 0x0f, 0xa0]);
  assert.equal(await picCmd(bus, 0x50, [0x03], 16), data);
  assert.equal(await picCmd(bus, 0x50, [0x08], 2), [0x0f, 0xb0]);
});

test('fuzz: any byte stream leaves the PIC consistent and answering', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 }), (writes) => {
      const clock = new VirtualClock();
      const pic = new PicOldApi({ clock, heartbeatTimeoutMs: 30_000, softwareVersion: 3, initialCode: 180 });
      for (const w of writes) {
        try {
          pic.write(w);
          pic.read(3);
        } catch (e) {
          if (!(e instanceof Error) || !/busy/.test(e.message)) throw e;
          clock.advance(1000);
        }
      }
      clock.advance(1001); // a pause abandons any half-received frame
      pic.read(64); // drain
      pic.write(Uint8Array.of(0x55, 0xaa, 0x17));
      return pic.read(1)[0] === 3 && pic.code >= 0 && pic.code <= 255;
    }),
    { seed, numRuns: 300 },
  );
});

test.run();
