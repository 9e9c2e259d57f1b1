import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import pino from 'pino';
import { VirtualClock } from '../../../src/hal/clock';
import { createSimMiner } from '../../../src/sim';
import { parseFaultSpec } from '../../../src/sim/faults/faultSpec';
import { framedRequest } from '../../../src/sim/devices/picFramed';
import { encodeFramed, parseAck, parseDataReply } from '../../../src/power/picFramedCodec';
import { regulatorFor } from '../../../src/power/regulatorFor';
import { PicFramedRegulator } from '../../../src/power/picFramed';
import { rejectsWith } from '../../helpers/rejects';

const SEED = Number(process.env.FUZZ_SEED ?? 7);
const log = pino({ level: 'silent' });

test("codec: requests match the simulator PIC's framing; replies parse; any bytes parse without throwing", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }), (cmd, data) => {
      assert.equal(encodeFramed(cmd, data), framedRequest(cmd, data));
      const len = data.length + 4;
      const sum = [len, cmd, ...data].reduce((a, b) => a + b, 0) & 0xffff;
      const r = parseDataReply(cmd, data.length, [len, cmd, ...data, sum >> 8, sum & 0xff]);
      assert.equal(r, { ok: true, data });
    }),
    { seed: SEED, numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 16 }), (cmd, n, bytes) => {
      const r = parseDataReply(cmd, n, bytes);
      const a = parseAck(cmd, bytes);
      return typeof r.ok === 'boolean' && typeof a.ok === 'boolean';
    }),
    { seed: SEED, numRuns: 500 },
  );
  assert.is(parseDataReply(0x17, 1, [5, 0x17, 0x80, 0x00, 0x9d]).ok, false, 'bad checksum');
  assert.is(parseAck(0x15, [0x15, 0x01]).ok, true);
  assert.is(parseAck(0x15, [0x10, 0x01]).ok, false);
});

test('driver against the simulated L7 PIC: version, set voltage, enable (board powers), readback, disable', async () => {
  const clock = new VirtualClock();
  const sim = createSimMiner({ boardId: 'l7', seed: SEED, clock, pow: 'scrypt-sim' });
  try {
    const pic = regulatorFor(sim.board, sim.hal.i2c, 1, { clock, log });
    assert.ok(pic instanceof PicFramedRegulator);
    assert.is(await pic.softwareVersion(), 0x80);
    const v = await pic.setVoltage(sim.board.hashBoard.voltage.stockV);
    assert.ok(Math.abs(v - sim.board.hashBoard.voltage.stockV) < 0.008);
    await pic.enable(true);
    assert.ok(Math.abs((await pic.readVoltage()) - v) < 1e-9);
    await clock.runFor(60_000); // heartbeats keep it on past the PIC's 30 s watchdog
    assert.ok((await (pic as PicFramedRegulator).sendHeartbeat()).on);
    await pic.enable(false);
    assert.is((await (pic as PicFramedRegulator).sendHeartbeat()).on, false);
    sim.control.inject(parseFaultSpec({ fault: 'regulator-fault', target: { chain: 1 }, params: { mode: 'no-answer' } }));
    await rejectsWith(pic.readVoltage(), 'KBS_E_POWER_PIC');
    assert.throws(() => pic.codeFor(99));
  } finally {
    await sim.stop();
  }
});

test.run();
