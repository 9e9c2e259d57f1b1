import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SerialPort } from 'serialport';
import { PtyMaster } from '../../../src/native/pty';

function opened(port: SerialPort): Promise<void> {
  return new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
}

test('serialport on the slave path and the master exchange raw bytes both ways, CR/LF untouched', async () => {
  const master = new PtyMaster();
  const port = new SerialPort({ path: master.slavePath, baudRate: 115200, autoOpen: false });
  await opened(port);
  const atMaster = new Promise<Buffer>((resolve) => master.onData(resolve));
  port.write(Buffer.from([0x55, 0xaa, 0x0d, 0x0a, 0x00, 0xff]));
  assert.equal([...(await atMaster)], [0x55, 0xaa, 0x0d, 0x0a, 0x00, 0xff]);
  const atSlave = new Promise<Buffer>((resolve) => port.once('data', resolve));
  master.write(Buffer.from([0x0a, 0x0d, 0x13, 0x11]));
  assert.equal([...(await atSlave)], [0x0a, 0x0d, 0x13, 0x11]);
  await new Promise<void>((r) => port.close(() => r()));
  master.close();
});

test('the master sees the baud rate the firmware sets, including a switch to 3 Mbaud', async () => {
  const master = new PtyMaster();
  const port = new SerialPort({ path: master.slavePath, baudRate: 115200, autoOpen: false });
  await opened(port);
  assert.is(master.baud, 115200);
  await new Promise<void>((resolve, reject) => port.update({ baudRate: 3_000_000 }, (e) => (e ? reject(e) : resolve())));
  assert.is(master.baud, 3_000_000);
  await new Promise<void>((r) => port.close(() => r()));
  master.close();
});

test.run();
