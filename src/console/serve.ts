import type { Logger } from 'pino';
import { ConsoleSession, type SessionEnd } from './session';
import { openTtyLine } from './ttyLine';
import type { ConsoleEnv } from './commands/context';
import { FileThrottleState } from './loginThrottle';

/**
 * The console on a serial line, forever: open it, run sessions until it hangs up, then wait for
 * it to come back (the adapter plugged in again) and start over with a fresh login. A session
 * that logs out or times out goes back to the login prompt on the same line.
 */
export interface ServeOptions {
  env: ConsoleEnv;
  tty: string;
  baud: number;
  idleTimeoutMs: number;
  dataDir: string;
  log: Logger;
  /** Stops serving (SIGTERM). */
  signal: AbortSignal;
}

const REOPEN_MS = 1000;

export async function serveTty(o: ServeOptions): Promise<void> {
  let lastError = '';
  while (!o.signal.aborted) {
    let line;
    try {
      line = openTtyLine(o.tty, o.baud);
    } catch (err) {
      const msg = (err as Error).message;
      if (msg !== lastError) o.log.warn({ tty: o.tty, err: msg }, 'console line not available; retrying');
      lastError = msg;
      await new Promise((r) => setTimeout(r, REOPEN_MS));
      continue;
    }
    lastError = '';
    o.log.info({ tty: o.tty, baud: o.baud }, 'console line open');
    const stop = () => line.close();
    o.signal.addEventListener('abort', stop, { once: true });
    let session: ConsoleSession | undefined;
    line.onData((b) => session?.input(b));
    void line.closed.then(() => session?.hangup());
    let end: SessionEnd = 'logout';
    let hung = false;
    void line.closed.then(() => (hung = true));
    while (!hung && !o.signal.aborted) {
      session = new ConsoleSession({ ...o.env, io: { where: o.tty, write: (t) => line.write(t) }, log: o.log, throttle: new FileThrottleState(o.dataDir), idleTimeoutMs: o.idleTimeoutMs });
      try {
        end = await session.run();
      } catch (err) {
        // A session must never take the line down with it: report, pause, log in again.
        o.log.error({ tty: o.tty, err: (err as Error).message }, 'console session failed');
        line.write(`\r\nconsole error: ${(err as Error).message}\r\n`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (end === 'hangup') break;
    }
    o.signal.removeEventListener('abort', stop);
    line.close();
    o.log.info({ tty: o.tty, end }, 'console line closed');
  }
}
