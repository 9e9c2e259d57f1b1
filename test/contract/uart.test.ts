import { RealClock } from '../../src/hal/clock';
import { createUartPair } from '../../src/hal/sim/uartPair';
import { uartContract } from './uart.contract';

uartContract('in-process pair', async () => {
  const p = createUartPair({ baud: 115200, clock: new RealClock() });
  return { host: p.host, device: p.device, cleanup: () => p.host.close() };
});

uartContract('in-process pair, paced at the baud rate', async () => {
  const p = createUartPair({ baud: 115200, clock: new RealClock(), paced: true });
  return { host: p.host, device: p.device, cleanup: () => p.host.close() };
});

let ptyAvailable = true;
try {
  require('../../src/native/pty').openPty;
  const { PtyMaster } = require('../../src/native/pty') as typeof import('../../src/native/pty');
  new PtyMaster().close();
} catch (e) {
  ptyAvailable = false;
  console.log(`uart contract over a PTY skipped: native addon not built (${(e as Error).message})`);
}

if (ptyAvailable) {
  const { createPtyTransport } = require('../../src/hal/sim/ptyTransport') as typeof import('../../src/hal/sim/ptyTransport');
  const { LinuxUart } = require('../../src/hal/linux/uart') as typeof import('../../src/hal/linux/uart');
  uartContract('PTY + LinuxUart (native poller)', async () => {
    const t = createPtyTransport();
    const host = await LinuxUart.open(t.path, 115200);
    return {
      host,
      device: t.link,
      cleanup: async () => {
        await host.close();
        await t.close();
      },
    };
  });
}
