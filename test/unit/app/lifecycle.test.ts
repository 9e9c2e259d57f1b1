import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { Lifecycle, StartError } from '../../../src/app/lifecycle';
import type { Component } from '../../../src/app/component';
import { VirtualClock } from '../../../src/hal/clock';

const log = pino({ level: 'silent' });

function fake(name: string, events: string[], opts: { critical?: boolean; failStart?: boolean; hangStop?: boolean } = {}): Component {
  return {
    name,
    critical: opts.critical ?? false,
    async start() {
      events.push(`start:${name}`);
      if (opts.failStart) throw new Error(`${name} broke`);
    },
    async stop() {
      events.push(`stop:${name}`);
      if (opts.hangStop) await new Promise(() => undefined);
    },
  };
}

test('starts in order and stops in reverse order', async () => {
  const events: string[] = [];
  const lc = new Lifecycle(log, new VirtualClock());
  lc.add(fake('a', events));
  lc.add(fake('b', events));
  await lc.start();
  await lc.stop();
  assert.equal(events, ['start:a', 'start:b', 'stop:b', 'stop:a']);
  assert.equal(lc.status().map((s) => s.state), ['stopped', 'stopped']);
});

test('a non-critical start failure leaves that component degraded and starts the rest', async () => {
  const events: string[] = [];
  const lc = new Lifecycle(log, new VirtualClock());
  lc.add(fake('a', events, { failStart: true }));
  lc.add(fake('b', events));
  await lc.start();
  assert.equal(lc.status(), [
    { name: 'a', critical: false, state: 'degraded', error: 'a broke' },
    { name: 'b', critical: false, state: 'running' },
  ]);
});

test('a critical start failure aborts the start and stops what already started', async () => {
  const events: string[] = [];
  const lc = new Lifecycle(log, new VirtualClock());
  lc.add(fake('hal', events));
  lc.add(fake('safety', events, { critical: true, failStart: true }));
  lc.add(fake('api', events));
  try {
    await lc.start();
    assert.unreachable('start should throw');
  } catch (err) {
    assert.instance(err, StartError);
    assert.match((err as Error).message, /'safety' failed to start: safety broke/);
  }
  assert.equal(events, ['start:hal', 'start:safety', 'stop:hal']);
  assert.ok(lc.signal.aborted, 'start signal aborted');
});

test('a stuck stop times out on the clock and the others still stop', async () => {
  const events: string[] = [];
  const clock = new VirtualClock();
  const lc = new Lifecycle(log, clock, 1000);
  lc.add(fake('a', events));
  lc.add(fake('stuck', events, { hangStop: true }));
  await lc.start();
  const stopping = lc.stop();
  await clock.runFor(1500, 100);
  await stopping;
  assert.equal(events, ['start:a', 'start:stuck', 'stop:stuck', 'stop:a']);
});

test('reload goes only to running components that can reload', async () => {
  const lc = new Lifecycle<{ n: number }>(log, new VirtualClock());
  const got: number[] = [];
  lc.add({ name: 'r', critical: false, start: async () => {}, stop: async () => {}, reload: (c) => (got.push(c.n), { applied: true }) });
  lc.add({ name: 'fixed', critical: false, start: async () => {}, stop: async () => {} });
  await lc.start();
  const res = await lc.reload({ n: 3 });
  assert.equal(res, { r: { applied: true } });
  assert.equal(got, [3]);
});

test.run();
