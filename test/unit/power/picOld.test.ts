import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { VirtualClock } from '../../../src/hal/clock';
import { PicOldRegulator, RegulatorError } from '../../../src/power/picOld';
import { createSimMiner } from '../../../src/sim';

const log = pino({ level: 'silent' });

function setup() {
  const clock = new VirtualClock();
  const sim = createSimMiner({ boardId: 'l3plus', seed: 3, clock });
  const reg = sim.board.hashBoard.regulator;
  const pic = new PicOldRegulator({
    bus: sim.hal.i2c[reg.bus],
    address: reg.addresses[0],
    chain: 0,
    clock,
    log,
    codeOffsetV: reg.codeOffsetV,
    codeSlopeV: reg.codeSlopeV,
  });
  return { clock, sim, pic, reg };
}

test('reads the PIC software version the L3+ tools require (0x03)', async () => {
  const { pic, sim } = setup();
  assert.is(await pic.softwareVersion(), 3);
  await sim.stop();
});

test('set voltage reads back as the nearest code, and enable powers the chain in the simulator', async () => {
  const { pic, sim, clock } = setup();
  const v = await pic.setVoltage(9.9);
  assert.ok(Math.abs(v - 9.9) <= 0.0031, `${v}`);
  assert.ok(Math.abs((await pic.readVoltage()) - v) < 1e-9);
  await pic.enable(true);
  sim.tick(500);
  assert.ok(sim.state().chains[0].powered, 'chain 0 powered');
  // The heartbeat keeps it on well past the PIC's 30 s watchdog.
  await clock.runFor(65_000, 1000);
  sim.tick(500);
  assert.ok(sim.state().chains[0].powered, 'still powered after 65 s of heartbeats');
  await pic.enable(false);
  sim.tick(500);
  assert.not.ok(sim.state().chains[0].powered);
  await sim.stop();
});

test('a voltage outside the code range is refused before anything is written', async () => {
  const { pic, sim } = setup();
  assert.throws(() => pic.codeFor(20), (e: unknown) => e instanceof RegulatorError);
  await sim.stop();
});

test('a missing PIC gives a RegulatorError naming the chain and address', async () => {
  const { sim, clock, reg } = setup();
  const ghost = new PicOldRegulator({ bus: sim.hal.i2c[reg.bus], address: 0x5f, chain: 7, clock, log, codeOffsetV: 10.965, codeSlopeV: -0.006 });
  try {
    await ghost.softwareVersion();
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RegulatorError);
    assert.match((e as Error).message, /chain 7: PIC at 0x5f/);
  }
  await sim.stop();
});

test.run();
