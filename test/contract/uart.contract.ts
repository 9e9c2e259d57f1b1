/**
 * The Uart contract: every transport that gives the firmware a `Uart` and the simulated chain a
 * `ByteLink` must pass this (in-process pair always; PTY + LinuxUart when the addon is built).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Uart } from '../../src/hal/types';
import type { ByteLink } from '../../src/sim/chain/simChain';

export interface UartRig {
  host: Uart;
  device: ByteLink;
  cleanup(): Promise<void>;
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function uartContract(name: string, make: () => Promise<UartRig>): void {
  const s = suite(`uart contract: ${name}`);

  s('host writes arrive at the device whole and in order', async () => {
    const r = await make();
    try {
      const got: Buffer[] = [];
      r.device.onReceive((b) => got.push(b));
      const data = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) & 0xff));
      for (let i = 0; i < data.length; i += 97) await r.host.write(data.subarray(i, i + 97));
      await until(() => Buffer.concat(got).length >= data.length);
      assert.is(Buffer.concat(got).toString('hex'), data.toString('hex'));
    } finally {
      await r.cleanup();
    }
  });

  s('device sends arrive as host data events, and off() stops delivery to that listener', async () => {
    const r = await make();
    try {
      const got: Buffer[] = [];
      const fn = (b: Buffer) => got.push(b);
      r.host.on('data', fn);
      r.device.send(Buffer.from([0xaa, 0x55, 1, 2, 3]));
      await until(() => Buffer.concat(got).length >= 5);
      assert.is(Buffer.concat(got).toString('hex'), 'aa5501020' + '3');
      r.host.off('data', fn as (...a: never[]) => void);
      const other: Buffer[] = [];
      r.host.on('data', (b: Buffer) => other.push(b));
      r.device.send(Buffer.from([9]));
      await until(() => other.length > 0);
      assert.is(Buffer.concat(got).length, 5);
    } finally {
      await r.cleanup();
    }
  });

  s('setBaud changes the line speed both ends see', async () => {
    const r = await make();
    try {
      assert.is(r.host.baud, 115200);
      await r.host.setBaud(3_000_000);
      assert.is(r.host.baud, 3_000_000);
      await until(() => r.device.baud === 3_000_000);
      let err: unknown;
      await r.host.setBaud(-5).catch((e) => (err = e));
      assert.is((err as { code?: string }).code, 'KBS_E_UART_BAUD');
    } finally {
      await r.cleanup();
    }
  });

  s('after close, writes reject as canceled', async () => {
    const r = await make();
    await r.host.close();
    let err: unknown;
    await r.host.write(Buffer.from([1])).catch((e) => (err = e));
    assert.ok(err, 'write after close rejected');
    assert.is((err as { canceled?: boolean }).canceled, true);
    await r.cleanup();
  });

  s.run();
}
