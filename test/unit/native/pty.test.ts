import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinuxUart } from '../../../src/hal/linux/uart';
import { PtyMaster } from '../../../src/native/pty';

test('the firmware UART on the slave path and the master exchange raw bytes both ways, CR/LF and XON/XOFF untouched', async () => {
  const master = new PtyMaster();
  const port = await LinuxUart.open(master.slavePath, 115200);
  const atMaster = new Promise<Buffer>((resolve) => master.onData(resolve));
  await port.write(Buffer.from([0x55, 0xaa, 0x0d, 0x0a, 0x00, 0xff]));
  assert.equal([...(await atMaster)], [0x55, 0xaa, 0x0d, 0x0a, 0x00, 0xff]);
  const atSlave = new Promise<Buffer>((resolve) => port.on('data', resolve));
  master.write(Buffer.from([0x0a, 0x0d, 0x13, 0x11]));
  assert.equal([...(await atSlave)], [0x0a, 0x0d, 0x13, 0x11]);
  await port.close();
  master.close();
});

test('the master sees the baud rate the firmware sets, including a switch to 3 Mbaud', async () => {
  const master = new PtyMaster();
  const port = await LinuxUart.open(master.slavePath, 115200);
  assert.is(master.baud, 115200);
  await port.setBaud(3_000_000);
  assert.is(master.baud, 3_000_000);
  await port.close();
  master.close();
});

test.run();
