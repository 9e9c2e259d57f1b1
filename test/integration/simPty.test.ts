/**
 * The simulator served on real PTYs (transport 'pty'): the firmware side opens each chain's
 * PTY path with LinuxUart (hal/linux) exactly as a chain UART on hardware.
 * Needs the native addon (openpty), which `npm install` builds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { RealClock } from '../../src/hal/clock';
import { LinuxUart } from '../../src/hal/linux/uart';
import { createSimMiner } from '../../src/sim/miner';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('each chain is a PTY the firmware opens with LinuxUart; a powered chain answers there', async () => {
  const m = createSimMiner({ boardId: 'l3plus', seed: 9, clock: new RealClock(), transport: 'pty' });
  let uart: LinuxUart | undefined;
  try {
    assert.is(m.hal.ptyPaths.length, 4);
    assert.is(m.hal.uarts.length, 0);
    assert.ok(m.hal.ptyPaths.every((p) => existsSync(p)));
    uart = await LinuxUart.open(m.hal.ptyPaths[1]!, 115200);
    const got: Buffer[] = [];
    uart.on('data', (c: Buffer) => void got.push(c));
    for (const b of [0x55, 0xaa, 0x15, 0x01]) await m.hal.i2c[0]!.sendByte(0x51, b);
    await m.hal.gpio.reset[1]!.write(0);
    await sleep(120);
    await m.hal.gpio.reset[1]!.write(1);
    await uart.write(Buffer.from([0x52, 0x04, 0x00, 0x00, 0x12]));
    await sleep(400);
    assert.is(Buffer.concat(got).length, 72 * 7);
  } finally {
    await uart?.close();
    await m.stop();
  }
});

test.run();
