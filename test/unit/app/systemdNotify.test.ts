import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SystemdNotifier, notifySocket, statusLine, watchdogPingMs } from '../../../src/app/systemdNotify';
import { tryLoadAddon } from '../../../src/native/load';
import { startNotifyReceiver } from '../../helpers/notifyReceiver';
import { until } from '../../helpers/until';

const log = pino({ level: 'silent' });

test('watchdogPingMs: half of WATCHDOG_USEC, only for this pid, nothing on garbage', () => {
  assert.is(watchdogPingMs({ WATCHDOG_USEC: '30000000' }, 42), 15_000);
  assert.is(watchdogPingMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 15_000);
  assert.is(watchdogPingMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '43' }, 42), null, 'meant for another process');
  for (const bad of [undefined, '', '0', '-5', '1e6', '12abc', ' 100']) assert.is(watchdogPingMs({ WATCHDOG_USEC: bad }, 1), null, String(bad));
  fc.assert(fc.property(fc.string(), (s) => {
    const v = watchdogPingMs({ WATCHDOG_USEC: s }, 1);
    assert.ok(v === null || (Number.isInteger(v) && v >= 1));
  }));
});

test('notifySocket: absolute paths and @names only; statusLine stays one line', () => {
  assert.is(notifySocket({ NOTIFY_SOCKET: '/run/systemd/notify' }), '/run/systemd/notify');
  assert.is(notifySocket({ NOTIFY_SOCKET: '@abc' }), '@abc');
  for (const bad of [undefined, '', '/', 'relative/sock', '@', 'x'.repeat(10), '/' + 'a'.repeat(200), '/a\0b']) assert.is(notifySocket({ NOTIFY_SOCKET: bad }), null, JSON.stringify(bad));
  assert.is(statusLine('a\nWATCHDOG=1\r\nb'), 'a WATCHDOG=1 b');
});

test('the notifier: READY=1 with STATUS, pings at half the watchdog period, STOPPING=1 and no ping after', async () => {
  const sent: string[] = [];
  const prev = process.env.NOTIFY_SOCKET;
  const n = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/run/test.sock', WATCHDOG_USEC: '40000' }, log, (_s, m) => (sent.push(m), true))!;
  assert.ok(n);
  n.ready('running: sim\nl3plus');
  assert.is(sent[0], 'READY=1\nSTATUS=running: sim l3plus');
  await until('three watchdog pings', () => n.pings >= 3, 2000);
  n.stopping();
  const count = sent.length;
  assert.is(sent[count - 1], 'STOPPING=1');
  assert.ok(sent.slice(1, -1).every((m) => m === 'WATCHDOG=1'));
  await new Promise((r) => setTimeout(r, 60));
  assert.is(sent.length, count, 'no ping after STOPPING=1');
  assert.is(SystemdNotifier.fromEnv({}, log), null, 'not under systemd: nothing');
  assert.is(SystemdNotifier.fromEnv({ NOTIFY_SOCKET: 'relative' }, log), null);
  // A send that throws is logged, never thrown at the daemon.
  const failing = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/nope' }, log, () => { throw new Error('ECONNREFUSED'); })!;
  failing.ready('x');
  failing.stopping();
  if (prev !== undefined) process.env.NOTIFY_SOCKET = prev;
});

const addon = tryLoadAddon();

if (process.platform === 'linux' && addon?.sdNotify) {
  const sdNotify = addon.sdNotify.bind(addon);
  test('sdNotify: datagrams reach a real unix socket, by path and in the abstract namespace; errors are clear', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kabosu-notify-'));
    const path = join(dir, 'notify.sock');
    const r1 = await startNotifyReceiver(path);
    const abstract = `@kabosu-test-${process.pid}-${Date.now()}`;
    const r2 = await startNotifyReceiver(abstract);
    try {
      assert.is(sdNotify(path, 'READY=1\nSTATUS=hello'), true);
      assert.is(sdNotify(path, 'WATCHDOG=1'), true);
      assert.is(sdNotify(abstract, 'STOPPING=1'), true);
      await until('the datagrams', () => r1.got.length === 2 && r2.got.length === 1, 3000);
      assert.equal(r1.got, ['READY=1\nSTATUS=hello', 'WATCHDOG=1']);
      assert.equal(r2.got, ['STOPPING=1']);
      assert.throws(() => sdNotify(join(dir, 'absent.sock'), 'READY=1'), /sdNotify: sendto .*absent\.sock: No such file/);
      assert.throws(() => sdNotify('relative.sock', 'READY=1'), /absolute path or @abstract/);
      assert.throws(() => (sdNotify as (...a: unknown[]) => boolean)(1, 'x'), /needs \(socket: string, message: string\)/);
    } finally {
      r1.close();
      r2.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
} else {
  test('sdNotify is built on Linux', () => {
    assert.ok(process.platform !== 'linux', 'the kabosu addon on Linux exports sdNotify (rebuild native/)');
  });
}

test.run();
