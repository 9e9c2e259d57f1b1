import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { VirtualClock } from '../../../src/hal/clock';
import { BoardPower, type BoardRegulator } from '../../../src/power/boardPower';

/** The hardware boundary: a regulator that records what it was told. */
class RecordingRegulator implements BoardRegulator {
  set: number[] = [];
  readback = 0;
  async setVoltage(v: number): Promise<number> {
    this.set.push(v);
    this.readback = v;
    return v;
  }
  async readVoltage(): Promise<number> {
    return this.readback;
  }
  async enable(): Promise<void> {}
}

test('soft-start: a powered board moves to a new voltage in bounded steps, spaced in time; readback and voltageSet agree', async () => {
  const clock = new VirtualClock();
  const reg = new RecordingRegulator();
  const p = new BoardPower([reg], { clock, log: pino({ level: 'silent' }), ramp: { maxStepV: 0.05, stepMs: 100 } });
  assert.is(p.voltageSet(0), null);
  await p.setVoltage(0, 9.885); // first set while off: one write
  assert.equal(reg.set, [9.885]);
  await p.enable(0, 'test');
  const done = p.setVoltage(0, 10.2);
  await clock.runFor(10_000);
  assert.is(await done, 10.2);
  assert.is(reg.set.length, 1 + Math.ceil((10.2 - 9.885) / 0.05));
  for (let i = 1; i < reg.set.length; i++) assert.ok(Math.abs(reg.set[i] - reg.set[i - 1]) <= 0.05 + 1e-9);
  assert.is(p.voltageSet(0), 10.2);
  assert.is(await p.readVoltage(0), 10.2);
});

test('without a ramp option the voltage is written at once (existing behaviour)', async () => {
  const reg = new RecordingRegulator();
  const p = new BoardPower([reg], { clock: new VirtualClock(), log: pino({ level: 'silent' }) });
  await p.enable(0, 'x');
  await p.setVoltage(0, 9.5);
  await p.setVoltage(0, 10.5);
  assert.equal(reg.set, [9.5, 10.5]);
});

test.run();
