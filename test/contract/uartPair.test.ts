import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../src/hal/clock';
import { createUartPair, wireTimeMs } from '../../src/hal/sim/uartPair';

test('paced pair: an 82-byte work packet reaches the chain after its wire time at 115200 baud (7.1 ms), back to back', async () => {
  const clock = new VirtualClock();
  const p = createUartPair({ baud: 115200, clock, paced: true });
  const arrivals: number[] = [];
  p.device.onReceive(() => arrivals.push(clock.now()));
  const w1 = p.host.write(Buffer.alloc(82));
  const w2 = p.host.write(Buffer.alloc(82));
  clock.advance(7);
  assert.equal(arrivals, []);
  clock.advance(0.2);
  assert.is(arrivals.length, 1);
  clock.advance(7.2);
  assert.is(arrivals.length, 2);
  assert.ok(Math.abs(arrivals[1] - 2 * wireTimeMs(82, 115200)) < 1e-9);
  await Promise.all([w1, w2]);
});

test('paced pair: after setBaud the wire time follows the new speed', async () => {
  const clock = new VirtualClock();
  const p = createUartPair({ baud: 115200, clock, paced: true });
  await p.host.setBaud(3_000_000);
  let at = -1;
  p.host.on('data', () => (at = clock.now()));
  p.device.send(Buffer.alloc(9));
  clock.advance(1);
  assert.ok(Math.abs(at - wireTimeMs(9, 3_000_000)) < 1e-9, `${at}`);
});

test.run();
