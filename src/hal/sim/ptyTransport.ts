/**
 * Serves a simulated chain on a real PTY (DESIGN "Transports"): the firmware opens the slave path
 * with LinuxUart (src/hal/linux/uart.ts) exactly as a tty on hardware; the chain sees the master end as a `ByteLink`
 * whose `baud` is the speed the firmware set with termios, so baud switches are honoured.
 */
import { PtyMaster } from '../../native/pty';
import type { ByteLink } from '../../sim/chain/simChain';

export interface PtyTransport {
  /** The tty the firmware opens (e.g. /dev/pts/3). */
  readonly path: string;
  readonly link: ByteLink;
  close(): Promise<void>;
}

export function createPtyTransport(): PtyTransport {
  const master = new PtyMaster();
  let lastBaud = 115200;
  const link: ByteLink = {
    send: (buf) => master.write(buf),
    onReceive: (fn) => master.onData(fn),
    get baud() {
      const b = master.baud;
      if (b > 0) lastBaud = b;
      return lastBaud;
    },
  };
  return {
    path: master.slavePath,
    link,
    close: async () => master.close(),
  };
}
