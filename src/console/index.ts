/** Public surface of src/console: the diagnostics shell (serial line or local terminal). */
import type { Logger } from 'pino';
/** Where the daemon keeps its files (app/paths.ts DaemonPaths). */
interface DaemonPaths {
  configPath: string;
  dataDir: string;
  socketPath: string;
}
import { DaemonLink } from './daemonLink';
import { AdminPasswordStore } from '../auth/adminPassword';
import { styleFor } from './style';
import { ConsoleSession } from './session';
import { FileThrottleState } from './loginThrottle';
import type { ConsoleEnv } from './commands/context';

export { serveTty } from './serve';
export { ConsoleSession } from './session';
export type { ConsoleEnv } from './commands/context';

export function buildConsoleEnv(o: { paths: DaemonPaths; term: string | undefined; unit: string; logFile?: string; self: string[]; rebootCommand: string[] }): ConsoleEnv {
  return {
    link: new DaemonLink(o.paths.socketPath),
    rescue: { unit: o.unit, logFile: o.logFile, configPath: o.paths.configPath, dataDir: o.paths.dataDir, self: o.self },
    style: styleFor(o.term),
    passwords: new AdminPasswordStore(o.paths.dataDir),
    rebootCommand: o.rebootCommand,
  };
}

/** One session on this process's terminal (raw mode when it is a TTY); resolves when it ends. */
export async function runLocalConsole(o: { env: ConsoleEnv; stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; idleTimeoutMs: number; dataDir: string; log: Logger }): Promise<void> {
  const stdin = o.stdin as NodeJS.ReadStream;
  const raw = !!stdin.isTTY && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode(true);
  const session = new ConsoleSession({ ...o.env, io: { where: 'local', write: (t) => o.stdout.write(t) }, log: o.log, throttle: new FileThrottleState(o.dataDir), idleTimeoutMs: o.idleTimeoutMs, eofEnds: true });
  const onData = (d: Buffer | string) => session.input(typeof d === 'string' ? Buffer.from(d) : d);
  const onEnd = () => session.hangup();
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  try {
    await session.run();
  } finally {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}
