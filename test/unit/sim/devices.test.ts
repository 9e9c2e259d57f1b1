import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/hal/clock';
import { SimI2cBus, I2cNack } from '../../../src/hal/sim/i2c';
import { SimGpioLine } from '../../../src/hal/sim/gpio';
import { SimPwm } from '../../../src/hal/sim/pwm';
import { SimTach } from '../../../src/hal/sim/tach';
import { KabosuError } from '../../../src/core/errors';
import { PicOldApi } from '../../../src/sim/devices/picOldApi';
import { Tmp451, decodeTmp451, encode } from '../../../src/sim/devices/tmp451';
import { At24c02, decodeIdentity, encodeIdentity } from '../../../src/sim/devices/eeprom';
import type { BoardIdentity } from '../../../src/sim/devices/eeprom';
import { PmbusPsu, decodeLinear11, linear11 } from '../../../src/sim/devices/pmbusPsu';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, KabosuError);
    assert.is((e as KabosuError).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

/** Sends a PIC command the stock way: one byte per I2C write. */
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

test('i2c: an absent address NACKs with a typed error naming bus and address', async () => {
  const bus = new SimI2cBus('i2c-0');
  try {
    await bus.readByte(0x51, 0);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, I2cNack);
    assert.match((e as Error).message, '0x51');
    assert.equal((e as KabosuError).context, { bus: 'i2c-0', addr: 0x51 });
  }
  await rejectsWith(bus.writeByte(0x80, 0, 0), 'KBS_E_I2C_ARG');
  await rejectsWith(bus.writeByte(0x10, 0x100, 0), 'KBS_E_I2C_ARG');
  await rejectsWith(bus.readBlock(0x10, 0, 33), 'KBS_E_I2C_ARG');
  await bus.close();
  await rejectsWith(bus.readByte(0x10, 0), 'KBS_E_HAL_CLOSED');
});

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
      clock.advance(1000);
      pic.read(64); // drain
      pic.write(Uint8Array.of(0x55, 0xaa, 0x17));
      return pic.read(1)[0] === 3 && pic.code >= 0 && pic.code <= 255;
    }),
    { seed, numRuns: 300 },
  );
});

test('TMP451: local is the board, remote the die plus offset, in 1/16 °C', async () => {
  const bus = new SimI2cBus('chain0');
  let board = 55.3;
  const die = 71.9;
  const s = new Tmp451(() => board, () => die);
  bus.attach(0x4c, s);
  const local = decodeTmp451(await bus.readByte(0x4c, 0x00), await bus.readByte(0x4c, 0x15));
  const remote = decodeTmp451(await bus.readByte(0x4c, 0x01), await bus.readByte(0x4c, 0x10));
  assert.ok(Math.abs(local - 55.3) <= 1 / 32);
  assert.ok(Math.abs(remote - 71.9) <= 1 / 32);
  await bus.writeByte(0x4c, 0x11, 0xd8); // -40 °C offset, the stock start value
  const shifted = await bus.readByte(0x4c, 0x01);
  assert.is(shifted, 31);
  assert.is(await bus.readByte(0x4c, 0xfe), 0x55);
  await rejectsWith(bus.readByte(0x4c, 0x40), 'KBS_E_I2C_NACK');
  await rejectsWith(bus.writeByte(0x4c, 0x00, 1), 'KBS_E_I2C_NACK');
  s.stuck = true;
  board = 80;
  assert.is(await bus.readByte(0x4c, 0x00), 55, 'stuck keeps the old value');
  s.stuck = false;
  assert.is(await bus.readByte(0x4c, 0x00), 80);
  s.implausibleC = 0;
  assert.is(await bus.readByte(0x4c, 0x00), 0);
  s.present = false;
  await rejectsWith(bus.readByte(0x4c, 0x00), 'KBS_E_I2C_NACK');
  assert.equal(encode(200), { high: 127, low: 0xf0 });
  assert.equal(encode(-5), { high: 0, low: 0 });
});

const ID: BoardIdentity = { model: 'Antminer L7', serial: 'SIM-L7-0-1234', chipFamily: 'bm1489', chipsPerChain: 120, stockFreqMHz: 1850, stockVoltageMv: 14700 };

test('EEPROM: identity reads back through the bus; page writes wrap inside 8 bytes', async () => {
  const bus = new SimI2cBus('i2c-0');
  const e = new At24c02(ID);
  bus.attach(0x54, e);
  await bus.i2cWrite(0x54, Uint8Array.of(0));
  const image = Buffer.concat([await bus.i2cRead(0x54, 128), await bus.i2cRead(0x54, 128)]);
  assert.equal(decodeIdentity(image), ID);
  await bus.writeBlock(0x54, 0x46, Uint8Array.of(1, 2, 3, 4));
  assert.equal([...e.bytes.subarray(0x46, 0x48)], [1, 2]);
  assert.equal([...e.bytes.subarray(0x40, 0x42)], [3, 4], 'wrapped to the page start');
  assert.is(decodeIdentity(e.bytes), null, 'CRC no longer matches');
});

test('fuzz: decodeIdentity never throws; it accepts exactly the images encodeIdentity makes', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (b) => {
      const r = decodeIdentity(b);
      return r === null || encodeIdentity(r).equals(Buffer.from(b));
    }),
    { seed, numRuns: 500 },
  );
});

test('PMBus PSU: input power and voltages in LINEAR11/LINEAR16 through SMBus words', async () => {
  const bus = new SimI2cBus('i2c-0');
  const psu = new PmbusPsu(() => ({ vinV: 230, voutV: 12.1, pinW: 812.5, poutW: 747 }));
  bus.attach(0x58, psu);
  assert.ok(Math.abs(decodeLinear11(await bus.readWord(0x58, 0x97)) - 812.5) / 812.5 < 0.002);
  assert.ok(Math.abs(decodeLinear11(await bus.readWord(0x58, 0x88)) - 230) < 0.5);
  const mode = await bus.readByte(0x58, 0x20);
  const exp = (mode & 0x1f) << 27 >> 27;
  assert.ok(Math.abs((await bus.readWord(0x58, 0x8b)) * 2 ** exp - 12.1) < 0.01);
  await rejectsWith(bus.readWord(0x58, 0x42), 'KBS_E_I2C_NACK');
  await rejectsWith(bus.writeByte(0x58, 0x97, 1), 'KBS_E_I2C_NACK');
  for (const v of [0.001, 1, 3425.7, 65000, -3]) {
    const back = decodeLinear11(linear11(v));
    assert.ok(Math.abs(back - v) <= Math.abs(v) * 0.001 + 0.001, `${v} -> ${back}`);
  }
});

test('GPIO, PWM and tach fakes remember state and refuse bad input', async () => {
  const rst = new SimGpioLine('rst0', 'out', 1);
  const seen: number[] = [];
  rst.onChange((v) => seen.push(v));
  await rst.write(0);
  await rst.write(0);
  await rst.write(1);
  assert.equal(seen, [0, 1]);
  const plug = new SimGpioLine('plug0', 'in', 1);
  await rejectsWith(plug.write(0), 'KBS_E_GPIO_DIRECTION');
  plug.drive(0);
  assert.is(await plug.read(), 0);
  const pwm = new SimPwm('pwm1');
  await pwm.setDuty(0.4);
  assert.is(pwm.duty, 0.4);
  await rejectsWith(pwm.setDuty(1.5), 'KBS_E_PWM_DUTY');
  await rejectsWith(pwm.setDuty(Number.NaN), 'KBS_E_PWM_DUTY');
  let rpm = 1200;
  const tach = new SimTach('fan0', () => rpm);
  assert.is(await tach.readRpm(), 1200);
  rpm = 0;
  assert.is(await tach.readRpm(), 0);
  await tach.close();
  await rejectsWith(tach.readRpm(), 'KBS_E_HAL_CLOSED');
});

test.run();
