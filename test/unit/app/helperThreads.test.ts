import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../src/hal/clock';
import { HelperThreadsComponent, helperThreadIds } from '../../../src/app/helperThreads';
import { tryLoadAddon } from '../../../src/native/load';

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

/** Field n of /proc/self/task/<tid>/stat (1-based, as in proc(5)): what the kernel says. */
function statField(tid: number, n: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[n - 3]);
}
const policyOf = (tid: number): number => statField(tid, 41);
const niceOf = (tid: number): number => statField(tid, 19);
const root = process.getuid?.() === 0;

function tasks(): number[] {
  return readdirSync('/proc/self/task').map(Number);
}

function startIdleWorker(): Promise<Worker> {
  const w = new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.postMessage('up'); setInterval(() => {}, 1000);`, { eval: true });
  return new Promise((resolve) => w.once('message', () => resolve(w)));
}

test('helperThreadIds: every numeric task id except the loop, nothing else', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 4_000_000 }).map(String), fc.string())), fc.integer({ min: 1, max: 4_000_000 }), (entries, loop) => {
      const got = helperThreadIds(entries, loop);
      const want = entries.filter((e) => /^[1-9][0-9]*$/.test(e) && e.length <= 10).map(Number).filter((n) => n !== loop);
      assert.equal(got, want);
      assert.not.ok(got.includes(loop));
    }),
  );
});

const addon = tryLoadAddon();

if (process.platform === 'linux' && addon?.setThreadPolicy) {
  const setPolicy = addon.setThreadPolicy.bind(addon);

  test('setThreadPolicy: refuses what is not a thread of this process, and bad arguments', () => {
    assert.is(setPolicy(1, 'batch'), false, 'pid 1 is not ours: refused, untouched');
    assert.is(setPolicy(0x3ffffff0, 'batch'), false);
    assert.throws(() => setPolicy(process.pid, 'fifo' as never), /policy must be/);
    assert.throws(() => setPolicy(-1, 'batch'), /positive thread id/);
    assert.throws(() => (setPolicy as (...a: unknown[]) => boolean)('1', 'batch'), /setThreadPolicy\(tid/);
  });

  test('the component demotes every thread but the loop to SCHED_BATCH, and threads made later at the next period', async () => {
    const clock = new VirtualClock();
    const first = await startIdleWorker();
    const before = new Set(tasks());
    const c = new HelperThreadsComponent(clock, { periodMs: 1000 });
    try {
      await c.start();
      assert.is(policyOf(process.pid), SCHED_OTHER, 'the loop keeps its policy');
      if (root) {
        assert.is(niceOf(process.pid), -10, 'the loop runs at nice -10');
        assert.is(c.loopNice, -10);
      }
      const helpers = tasks().filter((t) => t !== process.pid);
      assert.ok(helpers.length >= 2, 'V8 workers and the worker thread exist');
      for (const t of helpers) assert.is(policyOf(t), SCHED_BATCH, `thread ${t}`);
      for (const t of helpers) assert.is(niceOf(t), 0, `thread ${t} at nice 0`);
      // A thread made by the loop inherits the loop's policy until the next period.
      const second = await startIdleWorker();
      const fresh = tasks().filter((t) => !before.has(t));
      assert.ok(fresh.length >= 1);
      assert.ok(fresh.some((t) => policyOf(t) === SCHED_OTHER), 'a new thread starts as SCHED_OTHER');
      if (root) assert.ok(fresh.some((t) => niceOf(t) === -10), "a new thread inherits the loop's nice");
      await clock.advance(1000);
      for (const t of tasks().filter((t) => t !== process.pid)) {
        assert.is(policyOf(t), SCHED_BATCH, `thread ${t} after the period`);
        assert.is(niceOf(t), 0, `thread ${t} back at nice 0`);
      }
      assert.ok(c.applied >= helpers.length + 1);
      await second.terminate();
      await c.stop();
      assert.is(niceOf(process.pid), 0, "stop() gives the loop back its nice");
    } finally {
      await c.stop();
      await first.terminate();
      for (const t of tasks()) if (t !== process.pid) setPolicy(t, 'normal');
    }
  });

  test('KABOSU_HELPER_SCHED=normal leaves every thread alone', async () => {
    const w = await startIdleWorker();
    process.env.KABOSU_HELPER_SCHED = 'normal';
    const c = new HelperThreadsComponent(new VirtualClock());
    try {
      await c.start();
      for (const t of tasks()) assert.is(policyOf(t), SCHED_OTHER);
      assert.is(niceOf(process.pid), 0);
      assert.is(c.applied, 0);
    } finally {
      delete process.env.KABOSU_HELPER_SCHED;
      await c.stop();
      await w.terminate();
    }
  });
} else {
  test('setThreadPolicy is built on Linux', () => {
    assert.ok(process.platform !== 'linux', 'the kabosu addon on Linux exports setThreadPolicy (rebuild native/)');
  });
}

test.run();
