import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import fc from 'fast-check';
import { createSimMiner } from '../../../src/sim';
import { VirtualClock } from '../../../src/hal/clock';
import { RemoteHalServer } from '../../../src/hal/remote/server';
import { connectRemoteHal } from '../../../src/hal/remote/client';
import { LineSplitter, parseRequest, RemoteHalError, MAX_LINE } from '../../../src/hal/remote/protocol';
import { rejectsWith } from '../../helpers/rejects';
import { readTmp451 } from '../../../src/health/diagnostics';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-rhal-'));

test('over the remote hal the firmware reads the same sensors, drives the same PIC and fans as in process', async () => {
  const miner = createSimMiner({ boardId: 'l3plus', seed: 3, clock: new VirtualClock(), transport: 'stream' });
  const server = new RemoteHalServer(miner.hal, miner.board.id);
  const addr = await server.listen(`unix:${join(dir, 'a.sock')}`);
  const r = await connectRemoteHal(addr);
  try {
    assert.is(r.describe.board, 'l3plus');
    assert.is(r.sensorBuses.length, 4);
    const sensor = miner.board.hashBoard.sensors[0];
    const direct = await readTmp451(miner.hal.sensorBuses[0][0], sensor.i2cAddress);
    const remote = await readTmp451(r.sensorBuses[0][0], sensor.i2cAddress);
    assert.equal(remote, direct);
    await r.fans.pwm[0].setDuty(0.4);
    assert.is(miner.hal.fans.pwm[0].duty, 0.4);
    assert.is(r.fans.pwm[0].duty, 0.4);
    assert.type(await r.fans.tach[0].readRpm(), 'number');
    await r.gpio.reset[1].write(1);
    assert.is(await miner.hal.gpio.reset[1].read(), 1);
    // A device that does not answer fails the same way remotely as in process (same error code).
    const code = await miner.hal.i2c[0].readByte(0x7f, 0).then(() => 'none', (e: { code: string }) => e.code);
    assert.is.not(code, 'none');
    await rejectsWith(r.i2c[0].readByte(0x7f, 0), code);
  } finally {
    await r.close();
    await server.close();
  }
});

test('a call on a dead link rejects with KBS_E_HAL_REMOTE_DISCONNECTED; an unanswered one times out', async () => {
  const miner = createSimMiner({ boardId: 'l3plus', seed: 3, clock: new VirtualClock(), transport: 'stream' });
  const server = new RemoteHalServer(miner.hal, miner.board.id);
  const addr = await server.listen(`unix:${join(dir, 'b.sock')}`);
  const r = await connectRemoteHal(addr);
  await server.close();
  await new Promise((res) => setTimeout(res, 50));
  await rejectsWith(r.fans.tach[0].readRpm(), 'KBS_E_HAL_REMOTE_DISCONNECTED');
  // A server that accepts and never answers (after describe): calls time out.
  const silent = createServer((s) => {
    s.setEncoding('utf8');
    s.once('data', (d: string) => {
      const id = JSON.parse(d.split('\n')[0]).id;
      s.write(JSON.stringify({ id, ok: true, value: { board: 'l3plus', chains: 0, i2cBuses: 1, sensors: [], reset: 0, present: 0, pwm: 0, tach: 0, beeper: false, ptys: [] } }) + '\n');
    });
  });
  const path = join(dir, 'c.sock');
  await new Promise<void>((res) => silent.listen(path, () => res()));
  const r2 = await connectRemoteHal(`unix:${path}`, { timeoutMs: 100 });
  await rejectsWith(r2.i2c[0].readByte(0x20, 0), 'KBS_E_HAL_REMOTE_TIMEOUT');
  await r2.close();
  silent.close();
  await rejectsWith(connectRemoteHal(`unix:${join(dir, 'nope.sock')}`), 'KBS_E_HAL_REMOTE_CONNECT');
});

test('the request parser refuses anything malformed with a typed error (fuzz)', () => {
  const seed = Number(process.env.FUZZ_SEED ?? 11);
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.record({ id: fc.anything(), op: fc.string(), target: fc.string(), args: fc.anything() }).map((o) => JSON.stringify(o))), (line) => {
      try {
        const r = parseRequest(line);
        assert.ok(Number.isSafeInteger(r.id));
      } catch (e) {
        assert.instance(e, RemoteHalError);
      }
    }),
    { seed, numRuns: 2000 },
  );
  assert.is(parseRequest('{"id":1,"op":"readByte","target":"sensor:0:1","args":[76,0]}').target, 'sensor:0:1');
  assert.throws(() => parseRequest('{"id":1,"op":"readByte","target":"i2c:0;rm","args":[]}'), /bad target/);
});

test('the line splitter bounds lines and resynchronises after an over-long one', () => {
  const lines: string[] = [];
  let overflows = 0;
  const s = new LineSplitter((l) => lines.push(l), () => overflows++);
  s.push('a\nb');
  s.push('c\n' + 'x'.repeat(MAX_LINE + 10));
  s.push('yyy\nok\n');
  assert.equal(lines, ['a', 'bc', 'ok']);
  assert.is(overflows, 1);
});

test.run();
