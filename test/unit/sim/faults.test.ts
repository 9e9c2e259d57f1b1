import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/hal/clock';
import { KabosuError } from '../../../src/core/errors';
import { createSimMiner } from '../../../src/sim/miner';
import type { SimMiner } from '../../../src/sim/miner';
import { FAULT_KINDS, parseFaultSpec, parseScenario } from '../../../src/sim/faults/faultSpec';
import type { FaultSpec } from '../../../src/sim/faults/faultSpec';
import { StandInChain, standInFactory } from './standInChain';

const SEED = Number(process.env.SIM_SEED ?? 5);

interface Rig {
  m: SimMiner;
  clock: VirtualClock;
  chains: StandInChain[];
}

async function running(): Promise<Rig> {
  const clock = new VirtualClock();
  const chains: StandInChain[] = [];
  const m = createSimMiner({ boardId: 'l3plus', seed: SEED, clock, chainFactory: standInFactory(384, chains) });
  m.start();
  for (let c = 0; c < 4; c++) {
    for (const b of [0x55, 0xaa, 0x15, 0x01]) await m.hal.i2c[0]!.sendByte(0x50 + c, b);
    await m.hal.gpio.reset[c]!.write(0);
    await m.hal.gpio.reset[c]!.write(1);
  }
  // The firmware's heartbeat task (every 10 s per board, chips.md §10.1); SimI2cBus acts synchronously.
  clock.setInterval(() => {
    for (let c = 0; c < 4; c++) for (const b of [0x55, 0xaa, 0x16]) void m.hal.i2c[0]!.sendByte(0x50 + c, b).catch(() => {});
  }, 10_000);
  clock.advance(1000);
  return { m, clock, chains };
}

function spec(fault: FaultSpec['fault'], target: FaultSpec['target'] = {}, params: FaultSpec['params'] = {}): FaultSpec {
  return { fault, target, params };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as KabosuError).code;
  }
}

test('stuck sensor: the firmware keeps reading the same value while the board heats', async () => {
  const { m, clock } = await running();
  const bus = m.hal.sensorBuses[1]![0]!;
  m.control.inject(spec('sensor-stuck', { chain: 1, sensor: 0 }));
  const before = await bus.readByte(0x4c, 0x00);
  clock.advance(600_000);
  assert.is(await bus.readByte(0x4c, 0x00), before);
  assert.ok(m.state().chains[1]!.boardC > before + 5, 'the truth moved on');
  m.control.clearAll();
  assert.ok((await bus.readByte(0x4c, 0x00)) > before + 5);
  await m.stop();
});

test('absent and implausible sensors: NACK on the bus; a fixed 0 °C reading', async () => {
  const { m } = await running();
  const bus = m.hal.sensorBuses[0]![1]!;
  const f = m.control.inject(spec('sensor-absent', { chain: 0, sensor: 1 }));
  assert.is(await code(bus.readByte(0x4c, 0x00)), 'KBS_E_I2C_NACK');
  m.control.clear(f.id);
  assert.is(await code(bus.readByte(0x4c, 0x00)), 'ok');
  m.control.inject(spec('sensor-implausible', { chain: 0, sensor: 1 }));
  assert.is(await bus.readByte(0x4c, 0x00), 0);
  await m.stop();
});

test('seized fan: the tach falls to 0 and the boards get hotter; tach lost reads 0 while air still flows', async () => {
  const a = await running();
  const b = await running();
  a.m.control.inject(spec('fan-seized', { fan: 0 }));
  b.m.control.inject(spec('tach-lost', { fan: 0 }));
  a.clock.advance(900_000);
  b.clock.advance(900_000);
  assert.is(await a.m.hal.fans.tach[0]!.readRpm(), 0);
  assert.is(await b.m.hal.fans.tach[0]!.readRpm(), 0);
  assert.ok(b.m.state().fans[0]!.rpm > 4000);
  assert.ok(a.m.state().chains[0]!.boardC > b.m.state().chains[0]!.boardC + 3);
  await a.m.stop();
  await b.m.stop();
});

test('dead, silent-after-t and high-HW-error chips show in the truth the chain uses', async () => {
  const { m, clock } = await running();
  m.control.inject(spec('chip-dead', { chain: 0, chip: 3 }));
  m.control.inject(spec('chip-silent', { chain: 0, chip: 4 }, { after_ms: 60_000 }));
  m.control.inject(spec('chip-hw-errors', { chain: 0, chip: 5 }, { probability: 0.3 }));
  const phys = m.physics.chainAt(0).chips;
  assert.not.ok(phys[3]!.responsive(384));
  assert.ok(phys[4]!.hashrateHps(384) > 0, 'not silent yet');
  clock.advance(60_000);
  assert.is(phys[4]!.hashrateHps(384), 0);
  assert.ok(phys[4]!.responsive(384), 'silent chips still answer');
  assert.is(phys[5]!.hwErrorProbability(384), 0.3);
  const h = m.state().chains[0]!.hashrateHps;
  assert.ok(h < 126.1e6 * (70 / 72) + 1e5);
  m.control.clearAll();
  assert.ok(phys[3]!.responsive(384) && phys[4]!.hashrateHps(384) > 0);
  await m.stop();
});

test('UART noise goes to the chain; clearing removes it', async () => {
  const { m, chains } = await running();
  const f = m.control.inject(spec('uart-noise', { chain: 2 }, { bit_flip_prob: 0.01 }));
  assert.equal(chains[2]!.noise, { bitFlipProb: 0.01, dropProb: 0.001 });
  m.control.clear(f.id);
  assert.is(chains[2]!.noise, null);
  await m.stop();
});

test('PSU sag lowers every board voltage and raises HW errors; a deep sag browns out', async () => {
  const { m } = await running();
  const v0 = m.state().chains[0]!.boardV;
  m.control.inject(spec('psu-sag', {}, { scale: 0.93 }));
  const s = m.state().chains[0]!;
  assert.ok(Math.abs(s.boardV - v0 * 0.93) < 1e-9);
  assert.ok(s.chips.some((c) => c.hwErrorProbability > 0.01));
  m.control.inject(spec('psu-sag', {}, { scale: 0.5 }));
  assert.not.ok(m.state().chains[0]!.powered);
  assert.is(m.control.faults().length, 1, 'the same fault replaces, not stacks');
  await m.stop();
});

test('unplugged chain: plug line low, PIC gone from the bus; plugged back it boots with power off', async () => {
  const { m } = await running();
  m.control.inject(spec('chain-unplugged', { chain: 3 }));
  assert.is(await m.hal.gpio.present[3]!.read(), 0);
  assert.is(await code(m.hal.i2c[0]!.sendByte(0x53, 0x55)), 'KBS_E_I2C_NACK');
  assert.is(await code(m.hal.sensorBuses[3]![0]!.readByte(0x4c, 0)), 'KBS_E_I2C_NACK');
  assert.not.ok(m.state().chains[3]!.powered);
  m.control.clearAll();
  assert.is(await m.hal.gpio.present[3]!.read(), 1);
  assert.is(await code(m.hal.i2c[0]!.sendByte(0x53, 0x55)), 'ok');
  assert.not.ok(m.state().chains[3]!.powered);
  await m.stop();
});

test('regulator faults: output off (PIC still answers) or the PIC stops answering', async () => {
  const { m } = await running();
  m.control.inject(spec('regulator-fault', { chain: 1 }));
  assert.not.ok(m.state().chains[1]!.powered);
  assert.ok(m.state().chains[1]!.regulator.enabled);
  m.control.clearAll();
  assert.ok(m.state().chains[1]!.powered);
  m.control.inject(spec('regulator-fault', { chain: 1 }, { mode: 'no-answer' }));
  assert.is(await code(m.hal.i2c[0]!.sendByte(0x51, 0x55)), 'KBS_E_I2C_NACK');
  await m.stop();
});

test('ambient step heats the boards; clearing restores the ambient', async () => {
  const { m, clock } = await running();
  clock.advance(1_800_000);
  const before = m.state().chains[0]!.boardC;
  m.control.inject(spec('ambient-step', {}, { delta_c: 10 }));
  clock.advance(1_800_000);
  assert.ok(Math.abs(m.state().chains[0]!.boardC - before - 10) < 1.5);
  m.control.clearAll();
  assert.is(m.state().ambientC, 25);
  await m.stop();
});

test('a scenario plays on the clock: inject at t, clear at a later t', async () => {
  const { m, clock } = await running();
  const steps = parseScenario([
    { atMs: 10_000, fault: 'fan-seized', target: { fan: 1 } },
    { at_ms: 20_000, fault: 'fan-seized', target: { fan: 1 }, clear: true },
  ]);
  m.control.schedule(steps);
  clock.advance(9_999);
  assert.is(m.control.faults().length, 0);
  clock.advance(1);
  assert.is(m.control.faults()[0]!.fault, 'fan-seized');
  clock.advance(10_000);
  assert.is(m.control.faults().length, 0);
  await m.stop();
});

test('bad targets are typed errors and a bad scenario schedules nothing', async () => {
  const { m } = await running();
  assert.throws(() => m.control.inject(spec('chip-dead', { chain: 9, chip: 0 })), (e: KabosuError) => e.code === 'KBS_E_SIM_FAULT_TARGET');
  assert.throws(() => m.control.inject(spec('fan-seized')), /target.fan is required/);
  assert.throws(() => m.control.schedule(parseScenario([{ at_ms: 1, fault: 'fan-seized', target: { fan: 0 } }, { at_ms: 2, fault: 'chip-dead', target: { chain: 0 } }])));
  assert.is(m.control.faults().length, 0);
  await m.stop();
});

test('fuzz: fault and scenario parsing never crashes and only accepts what it can apply', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  const { m } = await running();
  const arb = fc.oneof(
    fc.jsonValue(),
    fc.record({
      fault: fc.oneof(fc.constantFrom(...FAULT_KINDS), fc.string()),
      target: fc.oneof(fc.record({ chain: fc.integer({ min: -2, max: 6 }), chip: fc.integer({ min: -1, max: 80 }), sensor: fc.integer({ min: 0, max: 3 }), fan: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: [] }), fc.jsonValue()),
      params: fc.oneof(fc.record({ scale: fc.double(), after_ms: fc.double(), probability: fc.double(), mode: fc.string() }, { requiredKeys: [] }), fc.jsonValue()),
    }, { requiredKeys: [] }),
  );
  fc.assert(
    fc.property(arb, (v) => {
      let s: FaultSpec;
      try {
        s = parseFaultSpec(v);
      } catch (e) {
        return e instanceof KabosuError && e.code === 'KBS_E_SIM_BAD_REQUEST';
      }
      try {
        const f = m.control.inject(s);
        m.control.clear(f.id);
      } catch (e) {
        return e instanceof KabosuError && e.code === 'KBS_E_SIM_FAULT_TARGET';
      }
      return true;
    }),
    { seed, numRuns: 400 },
  );
  assert.is(m.control.faults().length, 0);
  try {
    parseScenario({ steps: [{ at_ms: -1, fault: 'nope' }] });
    assert.unreachable();
  } catch (e) {
    assert.is((e as KabosuError).code, 'KBS_E_SIM_BAD_REQUEST');
  }
  await m.stop();
});

test.run();
