/**
 * hal/linux I2C (LinuxI2cBus): the missing device node on this host (real), and the queue,
 * timeout and retry rules over a scripted binding standing where i2c-bus's promisified bus
 * stands (a NAK, a hang and overlapping calls cannot be made on a host without /dev/i2c-N;
 * test/contract/hal.test.ts (KABOSU_I2C_STUB_BUS=N) runs the same bus against i2c-stub in the guest).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { LinuxI2cBus, type RawI2c } from '../../../src/hal/linux/i2c';
import { rejectsWith } from '../../helpers/rejects';

const errno = (code: string) => Object.assign(new Error(`${code}, remote I/O error`), { code });

/** A binding whose every call runs `behave(op)`; records the order calls start and end. */
function scripted(behave: (op: string, n: number) => Promise<unknown>): { raw: RawI2c; log: string[]; calls: () => number } {
  const log: string[] = [];
  let n = 0;
  const call = async (op: string) => {
    const k = n++;
    log.push(`start ${op}`);
    try {
      return await behave(op, k);
    } finally {
      log.push(`end ${op}`);
    }
  };
  const raw: RawI2c = {
    sendByte: (_a, b) => call(`send ${b}`) as Promise<void>,
    receiveByte: () => call('recv') as Promise<number>,
    readByte: (_a, r) => call(`readByte ${r}`) as Promise<number>,
    writeByte: (_a, r) => call(`writeByte ${r}`) as Promise<void>,
    readWord: (_a, r) => call(`readWord ${r}`) as Promise<number>,
    writeWord: (_a, r) => call(`writeWord ${r}`) as Promise<void>,
    readI2cBlock: async (_a, r, len, buf) => { await call(`readBlock ${r}`); buf.fill(7); return { bytesRead: len, buffer: buf }; },
    writeI2cBlock: async (_a, r, len, buf) => { await call(`writeBlock ${r}`); return { bytesWritten: len, buffer: buf }; },
    i2cRead: async (_a, len, buf) => { await call('i2cRead'); return { bytesRead: len - 1, buffer: buf }; },
    i2cWrite: async (_a, len, buf) => { await call('i2cWrite'); return { bytesWritten: len, buffer: buf }; },
    close: async () => undefined,
  };
  return { raw, log, calls: () => n };
}

test('a missing I2C device node is a clear error naming it and what to load', async () => {
  if (existsSync('/dev/i2c-0')) {
    console.log('  (skipped: this machine has /dev/i2c-0)');
    return;
  }
  const e = await rejectsWith(LinuxI2cBus.open('/dev/i2c-0', { timeoutMs: 100, retries: 0 }), 'KBS_E_I2C_NO_DEVICE');
  assert.match(e.message, '/dev/i2c-0 does not exist');
  assert.match(e.hint ?? '', 'modprobe i2c-dev');
  await rejectsWith(LinuxI2cBus.open('/tmp/not-an-i2c-bus', { timeoutMs: 100, retries: 0 }), 'KBS_E_I2C_DEVICE');
});

test('calls made without awaiting run on the wire one at a time, in call order', async () => {
  const s = scripted((op) => new Promise((r) => setTimeout(() => r(op.startsWith('read') ? 0x2a : undefined), 5)));
  const bus = new LinuxI2cBus('/dev/i2c-0', s.raw, { timeoutMs: 500, retries: 0 });
  const got = await Promise.all([bus.readByte(0x4c, 0x01), bus.readByte(0x4c, 0x10), bus.writeByte(0x50, 0x11, 3), bus.readBlock(0x50, 0x20, 4)]);
  assert.equal(got, [0x2a, 0x2a, undefined, Buffer.from([7, 7, 7, 7])]);
  assert.equal(s.log, ['start readByte 1', 'end readByte 1', 'start readByte 16', 'end readByte 16', 'start writeByte 17', 'end writeByte 17', 'start readBlock 32', 'end readBlock 32']);
});

test('a NAK is retried (bounded); one that persists is KBS_E_I2C_NACK naming bus, address and operation, with the first error kept', async () => {
  const flaky = scripted(async (_op, n) => { if (n < 2) throw errno('ENXIO'); });
  const bus = new LinuxI2cBus('/dev/i2c-0', flaky.raw, { timeoutMs: 500, retries: 2, retryDelayMs: 1 });
  await bus.sendByte(0x50, 0x55);
  assert.is(flaky.calls(), 3, 'two NAKs, then it answered');
  let k = 0;
  const dead = scripted(async () => { throw errno(k++ === 0 ? 'ENXIO' : 'EIO'); });
  const bus2 = new LinuxI2cBus('/dev/i2c-0', dead.raw, { timeoutMs: 500, retries: 2, retryDelayMs: 1 });
  const e = await rejectsWith(bus2.sendByte(0x51, 0x55), 'KBS_E_I2C_NACK');
  assert.match(e.message, 'I2C /dev/i2c-0 addr 0x51 send byte 0x55 failed after 3 attempts: ENXIO');
  assert.match(e.hint ?? '', 'i2cdetect -y 0');
  assert.is(dead.calls(), 3);
  const e2 = await rejectsWith(new LinuxI2cBus('/dev/i2c-0', scripted(async () => { throw errno('EACCES'); }).raw, { timeoutMs: 500, retries: 0 }).readWord(0x58, 0x88), 'KBS_E_I2C_IO');
  assert.match(e2.hint ?? '', 'no permission');
});

test('a hung call times out (not retried: a hung bus is not hammered) and the calls behind it still run', async () => {
  const s = scripted((op) => (op === 'readByte 1' ? new Promise(() => undefined) : Promise.resolve(9)));
  const bus = new LinuxI2cBus('/dev/i2c-0', s.raw, { timeoutMs: 30, retries: 3 });
  const hung = bus.readByte(0x4c, 0x01);
  const next = bus.readByte(0x4c, 0x02);
  const e = await rejectsWith(hung, 'KBS_E_I2C_TIMEOUT');
  assert.match(e.message, 'addr 0x4c read byte reg 0x01: no answer within 30 ms');
  assert.is(await next, 9);
  assert.is(s.calls(), 2, 'the hung call was tried once');
});

test('a short plain read is an error, and a closed bus refuses calls', async () => {
  const s = scripted(async () => undefined);
  const bus = new LinuxI2cBus('/dev/i2c-1', s.raw, { timeoutMs: 100, retries: 0 });
  await bus.write(0x48, Uint8Array.of(1, 2));
  const e = await rejectsWith(bus.read(0x48, 2), 'KBS_E_I2C_IO');
  assert.match(e.message, 'i2c read (2 bytes)');
  await bus.close();
  await rejectsWith(bus.readByte(0x48, 0), 'KBS_E_HAL_CLOSED');
});

test.run();
