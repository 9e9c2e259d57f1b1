import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { KabosuError } from '../core/errors';

/**
 * One open serial line (a UART, a USB adapter, a PTY): set to BAUD 8N1 raw with `stty`, read
 * and written through node:tty streams on their own fds. `closed` resolves when the line hangs
 * up (EIO/end: the adapter was unplugged or the PTY's other side closed).
 */
export interface TtyLine {
  path: string;
  write(text: string): void;
  onData(cb: (b: Buffer) => void): void;
  closed: Promise<void>;
  close(): void;
}

export function configureTty(path: string, baud: number): void {
  const r = spawnSync('stty', ['-F', path, String(baud), 'cs8', '-cstopb', '-parenb', 'raw', '-echo', 'clocal'], { encoding: 'utf8', timeout: 3000 });
  if (r.status !== 0) {
    throw new KabosuError('KBS_E_CONSOLE_TTY', `cannot set ${path} to ${baud} 8N1: ${(r.stderr || r.error?.message || `stty status ${r.status}`).trim()}`, {
      hint: 'check that it is a serial device and that this user may open it (group dialout)',
    });
  }
}

export function openTtyLine(path: string, baud: number): TtyLine {
  if (!existsSync(path)) throw new KabosuError('KBS_E_CONSOLE_TTY', `no serial device at ${path}`, { hint: 'plug the adapter in, or pass --tty PATH' });
  configureTty(path, baud);
  const flags = constants.O_RDWR | constants.O_NOCTTY;
  const rfd = openSync(path, flags);
  const wfd = openSync(path, flags);
  const input = new ReadStream(rfd);
  input.setRawMode(true);
  const output = new WriteStream(wfd);
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  let done = false;
  const close = (): void => {
    if (done) return;
    done = true;
    input.destroy();
    output.destroy();
    closedResolve();
  };
  input.on('end', close);
  input.on('close', close);
  input.on('error', close);
  output.on('error', close);
  return {
    path,
    write: (t) => {
      if (!done) output.write(t);
    },
    onData: (cb) => input.on('data', (d: Buffer | string) => cb(typeof d === 'string' ? Buffer.from(d, 'latin1') : d)),
    closed,
    close,
  };
}

/** Closes an fd ignoring errors (tests, cleanup). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}
