/**
 * LinuxUart beyond the shared Uart contract (test/contract/uart.test.ts): how it fails. Real PTYs
 * from the kabosu addon stand in for the chain UART.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPtyTransport } from '../../../src/hal/sim/ptyTransport';
import { LinuxUart } from '../../../src/hal/linux/uart';
import { rejectsWith } from '../../helpers/rejects';

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('open fails with KBS_E_UART_OPEN for a missing device, a regular file and an unsupported baud rate', async () => {
  const e1 = await rejectsWith(LinuxUart.open('/dev/kabosu-no-such-tty', 115200), 'KBS_E_UART_OPEN');
  assert.match(e1.message, /kabosu-no-such-tty/);
  const file = join(mkdtempSync(join(tmpdir(), 'kabosu-uart-')), 'not-a-tty');
  writeFileSync(file, 'x');
  const e2 = await rejectsWith(LinuxUart.open(file, 115200), 'KBS_E_UART_OPEN');
  assert.match(e2.message, /not a tty/);
  const t = createPtyTransport();
  try {
    const e3 = await rejectsWith(LinuxUart.open(t.path, 123457), 'KBS_E_UART_OPEN');
    assert.match(e3.message, /unsupported baud rate 123457/);
  } finally {
    await t.close();
  }
});

test('a second open of the same UART is refused while the first holds it, and allowed after close', async () => {
  const t = createPtyTransport();
  try {
    const a = await LinuxUart.open(t.path, 115200);
    const e = await rejectsWith(LinuxUart.open(t.path, 115200), 'KBS_E_UART_OPEN');
    assert.match(e.message, /in use/);
    await a.close();
    const b = await LinuxUart.open(t.path, 115200);
    await b.close();
  } finally {
    await t.close();
  }
});

test('a 64 KiB write larger than the kernel queue goes out whole and in order (EAGAIN path)', async () => {
  const t = createPtyTransport();
  const host = await LinuxUart.open(t.path, 115200);
  try {
    const got: Buffer[] = [];
    t.link.onReceive((b) => got.push(b));
    const data = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 131 + 3) & 0xff));
    await Promise.all([host.write(data.subarray(0, 40000)), host.write(data.subarray(40000))]);
    await until(() => Buffer.concat(got).length >= data.length, 5000);
    assert.ok(Buffer.concat(got).equals(data));
  } finally {
    await host.close();
    await t.close();
  }
});

test('when the device goes away the UART reports KBS_E_UART_READ once and closes; writes then reject as canceled', async () => {
  const t = createPtyTransport();
  const host = await LinuxUart.open(t.path, 115200);
  const errors: Error[] = [];
  let closed = 0;
  host.on('error', (e) => errors.push(e));
  host.on('close', () => closed++);
  await t.close();
  await until(() => closed === 1);
  assert.is(errors.length, 1);
  assert.is((errors[0] as { code?: string }).code, 'KBS_E_UART_READ');
  await rejectsWith(host.write(Buffer.from([1])), 'KBS_E_HAL_CLOSED');
  await host.close();
  assert.is(closed, 1);
});

test.run();
