import { ReadStream, WriteStream } from 'node:tty';
import { loadAddon } from './load';

export interface PtyPair {
  masterFd: number;
  slaveFd: number;
  /** The path the firmware opens with LinuxUart (e.g. /dev/pts/3). */
  slavePath: string;
}

/** openpty(3): a new pseudo-terminal pair, raw mode on the slave side. */
export function openPty(): PtyPair {
  return loadAddon().openpty();
}

/**
 * The master end of a PTY as a byte stream, for the simulator: bytes the firmware writes to the
 * slave arrive as 'data'; `write` sends bytes to the firmware. `baud` is the line speed the
 * firmware set on the slave (termios), so the simulator can honour baud switches.
 */
export class PtyMaster {
  readonly slavePath: string;
  private readonly pair: PtyPair;
  private readonly rx: ReadStream;
  private readonly tx: WriteStream;
  private closed = false;

  constructor(pair: PtyPair = openPty()) {
    this.pair = pair;
    this.slavePath = pair.slavePath;
    this.rx = new ReadStream(pair.masterFd);
    this.tx = new WriteStream(pair.masterFd);
    // EIO when the slave side hangs up is normal while the firmware reopens the port.
    this.rx.on('error', () => undefined);
    this.tx.on('error', () => undefined);
  }

  onData(fn: (chunk: Buffer) => void): void {
    this.rx.on('data', fn);
  }

  write(buf: Uint8Array): void {
    if (!this.closed) this.tx.write(buf);
  }

  /** The output speed of the line now, in baud (-1 for a speed termios cannot name). */
  get baud(): number {
    return loadAddon().ttySpeed(this.pair.masterFd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rx.destroy();
    this.tx.destroy();
    loadAddon().closeFd(this.pair.slaveFd);
  }
}
