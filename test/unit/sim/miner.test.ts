import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../src/hal/clock';
import { createSimMiner } from '../../../src/sim/miner';
import type { SimMiner } from '../../../src/sim/miner';
import { decodeIdentity } from '../../../src/sim/devices/eeprom';
import { decodeTmp451 } from '../../../src/sim/devices/tmp451';
import { decodeLinear11 } from '../../../src/sim/devices/pmbusPsu';
import { KabosuError } from '../../../src/core/errors';
import { StandInChain, standInFactory } from './standInChain';

const SEED = Number(process.env.SIM_SEED ?? 11);

function l3plus(clock = new VirtualClock(), chains: StandInChain[] = []): SimMiner {
  return createSimMiner({ boardId: 'l3plus', seed: SEED, clock, chainFactory: standInFactory(384, chains), ambientC: 25 });
}

/** What the firmware does to power a chain: PIC enable through I2C, then a reset pulse. */
async function powerUp(m: SimMiner, clock: VirtualClock, chain: number): Promise<void> {
  const bus = m.hal.i2c[0]!;
  const addr = 0x50 + chain;
  for (const b of [0x55, 0xaa, 0x15, 0x01]) await bus.sendByte(addr, b);
  await m.hal.gpio.reset[chain]!.write(0);
  clock.advance(500);
  await m.hal.gpio.reset[chain]!.write(1);
}

async function heartbeat(m: SimMiner, chain: number): Promise<void> {
  for (const b of [0x55, 0xaa, 0x16]) await m.hal.i2c[0]!.sendByte(0x50 + chain, b);
}

test('a fresh miner is unpowered: chains off, no hashrate, plug lines high', async () => {
  const clock = new VirtualClock();
  const m = l3plus(clock);
  const s = m.state();
  assert.is(s.chains.length, 4);
  assert.ok(s.chains.every((c) => !c.powered && c.hashrateHps === 0));
  for (const p of m.hal.gpio.present) assert.is(await p.read(), 1);
  assert.is(m.hal.fans.pwm.length, 1, 'the L3+ drives both fans from one PWM');
  assert.is(m.hal.fans.tach.length, 2);
  assert.is(m.hal.sensorBuses[0]!.length, 2, 'sensors behind chips 0x0C and 0xC9');
});

test('firmware powers a chain through the PIC and reset line; it hashes at the published rate', async () => {
  const clock = new VirtualClock();
  const chains: StandInChain[] = [];
  const m = l3plus(clock, chains);
  m.start();
  for (let c = 0; c < 4; c++) await powerUp(m, clock, c);
  assert.ok(chains.every((c) => c.resets === 1));
  clock.advance(1000);
  const s = m.state();
  assert.ok(s.chains.every((c) => c.powered));
  assert.ok(Math.abs(s.hashrateHps - 504.3e6) / 504.3e6 < 0.01, `${s.hashrateHps}`);
  await m.stop();
  assert.ok(chains.every((c) => c.stopped));
});

test('holding the reset line low stops the chain; releasing it clears hung chips', async () => {
  const clock = new VirtualClock();
  const chains: StandInChain[] = [];
  const m = l3plus(clock, chains);
  await powerUp(m, clock, 0);
  chains[0]!.freqs[5] = 900; // far beyond any limit: the chip hangs
  assert.not.ok(m.state().chains[0]!.chips[5]!.responsive);
  chains[0]!.freqs[5] = 384;
  assert.ok(m.state().chains[0]!.chips[5]!.hung, 'latched');
  await m.hal.gpio.reset[0]!.write(0);
  assert.not.ok(m.state().chains[0]!.powered);
  await m.hal.gpio.reset[0]!.write(1);
  const chip = m.state().chains[0]!.chips[5]!;
  assert.not.ok(chip.hung);
  assert.ok(chip.responsive);
});

test('without heartbeats the PIC cuts the chain after 30 s; with them it stays on', async () => {
  const clock = new VirtualClock();
  const m = l3plus(clock);
  m.start();
  await powerUp(m, clock, 0);
  await powerUp(m, clock, 1);
  for (let t = 0; t < 6; t++) {
    clock.advance(10_000);
    await heartbeat(m, 0);
  }
  const s = m.state();
  assert.ok(s.chains[0]!.powered);
  assert.not.ok(s.chains[1]!.powered);
  assert.is(s.chains[1]!.regulator.heartbeatTrips, 1);
  await m.stop();
});

test('the PIC voltage code sets the board voltage the chips see (V = 10.965 - 0.006 code)', async () => {
  const clock = new VirtualClock();
  const m = l3plus(clock);
  await powerUp(m, clock, 2);
  for (const b of [0x55, 0xaa, 0x10, 150]) await m.hal.i2c[0]!.sendByte(0x52, b);
  const s = m.state().chains[2]!;
  assert.ok(Math.abs(s.boardV - (10.965 - 0.9)) < 1e-9);
  assert.ok(Math.abs(s.chips[0]!.voltageV - (10.965 - 0.9) / 12) < 1e-9);
});

test('temperatures rise under load and the firmware reads them through the sensor chips', async () => {
  const clock = new VirtualClock();
  const m = l3plus(clock);
  m.start();
  for (let c = 0; c < 4; c++) await powerUp(m, clock, c);
  for (let t = 0; t < 120; t++) {
    clock.advance(10_000);
    for (let c = 0; c < 4; c++) await heartbeat(m, c);
  }
  const bus = m.hal.sensorBuses[0]![0]!;
  const local = decodeTmp451(await bus.readByte(0x4c, 0x00), await bus.readByte(0x4c, 0x15));
  const remote = decodeTmp451(await bus.readByte(0x4c, 0x01), await bus.readByte(0x4c, 0x10));
  const truth = m.state().chains[0]!;
  assert.ok(local > 40 && Math.abs(local - truth.boardC) < 0.1, `local ${local} board ${truth.boardC}`);
  assert.ok(remote > local, 'the die is hotter than the PCB');
  await m.stop();
});

test('fans: the PWM duty sets the tach reading after spin-up; PSU telemetry reports wall power', async () => {
  const clock = new VirtualClock();
  const m = l3plus(clock);
  m.start();
  await m.hal.fans.pwm[0]!.setDuty(0.5);
  clock.advance(20_000);
  assert.ok(Math.abs((await m.hal.fans.tach[0]!.readRpm()) - 2150) <= 30);
  assert.ok(Math.abs((await m.hal.fans.tach[1]!.readRpm()) - 1800) <= 30);
  const pin = decodeLinear11(await m.hal.i2c[0]!.readWord(0x58, 0x97));
  assert.ok(Math.abs(pin - m.state().wallPowerW) / m.state().wallPowerW < 0.01);
  await m.stop();
});

test('the L7 board carries an EEPROM with its model and a seeded serial', async () => {
  const clock = new VirtualClock();
  const m = createSimMiner({ boardId: 'l7', seed: 99, clock, chainFactory: standInFactory(1850) });
  const bus = m.hal.i2c[0]!;
  await bus.i2cWrite(0x54, Uint8Array.of(0));
  const id = decodeIdentity(await bus.i2cRead(0x54, 256));
  assert.ok(id);
  assert.is(id!.model, 'Antminer L7');
  assert.is(id!.chipsPerChain, 120);
  assert.match(id!.serial, '00000063');
});

test('determinism: same seed and same actions give the same state', async () => {
  const run = async (): Promise<string> => {
    const clock = new VirtualClock();
    const m = l3plus(clock);
    m.start();
    await powerUp(m, clock, 0);
    clock.advance(20_000);
    const s = m.state();
    await m.stop();
    return JSON.stringify(s);
  };
  assert.is(await run(), await run());
});

test('time scale: physics at 10x reaches in 60 s what real time reaches in 600 s', async () => {
  const temps: number[] = [];
  for (const [scale, ms] of [[1, 600_000], [10, 60_000]] as const) {
    const clock = new VirtualClock();
    const m = createSimMiner({ boardId: 'l3plus', seed: SEED, clock, chainFactory: standInFactory(384), timeScale: scale, stepMs: 500 });
    m.start();
    await powerUp(m, clock, 0);
    // Keep the PIC fed on the clock, as the firmware's heartbeat task would. SimI2cBus acts
    // synchronously, so all three bytes go out inside this timer callback.
    clock.setInterval(() => {
      for (const b of [0x55, 0xaa, 0x16]) void m.hal.i2c[0]!.sendByte(0x50, b);
    }, 10_000);
    clock.advance(ms);
    temps.push(m.state().chains[0]!.boardC);
    await m.stop();
  }
  assert.ok(temps[0]! > 40, `${temps}`);
  assert.ok(Math.abs(temps[0]! - temps[1]!) < 0.5, `${temps}`);
});

test('bad options are typed errors', () => {
  const clock = new VirtualClock();
  for (const o of [{ seed: 1.5 }, { seed: 1, stepMs: 0 }, { seed: 1, timeScale: -1 }]) {
    try {
      createSimMiner({ boardId: 'l3plus', clock, chainFactory: standInFactory(384), ...o });
      assert.unreachable();
    } catch (e) {
      assert.is((e as KabosuError).code, 'KBS_E_SIM_OPTIONS');
    }
  }
  try {
    createSimMiner({ boardId: 'nope', seed: 1, clock });
    assert.unreachable();
  } catch (e) {
    assert.is((e as KabosuError).code, 'KBS_E_BOARD_UNKNOWN');
  }
});

test.run();
