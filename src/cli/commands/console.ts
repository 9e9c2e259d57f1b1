import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import pino from 'pino';
import type { CliCommand } from '../command';
import { KabosuError, UsageError } from '../../core/errors';
import { PATH_OPTIONS, resolvePaths } from '../../app/paths';
import { checkConfigText, readConfigFile } from '../../config';
import { loadBoard } from '../../config/boardLoader';
import { parse as parseJsonc } from '../../config/jsonc';
import { runLocalConsole, serveTty, buildConsoleEnv } from '../../console';

const USAGE = `usage: kabosu console [--tty PATH|auto|board] [--baud N] [--term TYPE] [--idle-timeout S]
                      [--log-file F] [--unit NAME] [--reboot-command CMD] [--config F] [--data-dir D] [--dev]
  without --tty: a console session on this terminal against the running daemon
  --tty PATH: serve the console on a serial line; auto: console.device from the config, else the
             board definition's debug UART (board: always that one); 115200 8N1 unless --baud`;

/**
 * `kabosu console`: the diagnostics shell (src/console). With `--tty` it serves a serial line
 * forever (its own process under systemd: image/systemd/kabosu-console.service), reopening it
 * after a hang-up; without, one session on this terminal. Works with the daemon down (rescue).
 */
export const command: CliCommand = {
  summary: 'diagnostics shell: on this terminal, or served on a serial line (--tty PATH|auto, 115200 8N1)',
  async run(ctx) {
    let values;
    try {
      ({ values } = parseArgs({
        args: ctx.argv,
        options: {
          ...PATH_OPTIONS,
          tty: { type: 'string' },
          baud: { type: 'string' },
          term: { type: 'string' },
          'idle-timeout': { type: 'string' },
          'log-file': { type: 'string' },
          unit: { type: 'string' },
          'reboot-command': { type: 'string' },
        },
        strict: true,
      }));
    } catch (err) {
      throw new UsageError((err as Error).message, USAGE);
    }
    const baud = Number(values.baud ?? 115200);
    if (!Number.isInteger(baud) || baud < 1200 || baud > 4_000_000) throw new UsageError(`--baud must be a baud rate, got ${values.baud}`, USAGE);
    const idle = Number(values['idle-timeout'] ?? 600);
    if (!Number.isFinite(idle) || idle < 1) throw new UsageError(`--idle-timeout must be seconds >= 1, got ${values['idle-timeout']}`, USAGE);
    const where = { config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env };
    let paths = resolvePaths(where);
    // Like `kabosu status`: with no explicit choice, the system daemon, else `npm start`'s here.
    const explicit = values.dev || values.config !== undefined || values['data-dir'] !== undefined || ctx.env.KABOSU_DATA_DIR !== undefined || ctx.env.KABOSU_CONFIG !== undefined;
    if (!explicit && !values.tty && !existsSync(paths.socketPath) && existsSync(resolvePaths({ ...where, dev: true }).socketPath)) paths = resolvePaths({ ...where, dev: true });
    const term = values.term ?? (values.tty ? 'vt100' : ctx.env.TERM);
    const self = process.argv[1] && process.argv[1] !== process.execPath ? [process.execPath, process.argv[1]] : [process.execPath];
    const env = buildConsoleEnv({
      paths,
      term,
      unit: values.unit ?? 'kabosu.service',
      logFile: values['log-file'],
      self,
      rebootCommand: values['reboot-command'] ? values['reboot-command'].split(/\s+/) : ['systemctl', 'reboot'],
    });
    if (!values.tty) {
      const log = pino({ level: 'error', base: { component: 'console' } }, ctx.stderr as unknown as pino.DestinationStream);
      try {
        await runLocalConsole({ env, stdin: ctx.stdin, stdout: ctx.stdout, idleTimeoutMs: idle * 1000, dataDir: paths.dataDir, log });
      } finally {
        // Session over: the terminal handle (and anything a command left) must not hold the process.
        (ctx.stdin as { destroy?: () => void }).destroy?.();
        setTimeout(() => process.exit(process.exitCode ?? 0), 300).unref();
      }
      return 0;
    }
    const log = pino({ base: { component: 'console' } }, ctx.stdout as unknown as pino.DestinationStream);
    let tty = values.tty;
    if (tty === 'auto' || tty === 'board') {
      const c = consoleSettings(paths.configPath);
      if (tty === 'auto' && c.enabled === false) {
        log.info({ config: paths.configPath }, 'console.enabled is false: not serving the serial console');
        return 0;
      }
      tty = (tty === 'auto' ? c.device : undefined) ?? boardDebugUart(paths.configPath);
    }
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    log.info({ tty, baud, term }, 'console serving');
    await serveTty({ env, tty, baud, idleTimeoutMs: idle * 1000, dataDir: paths.dataDir, log, signal: ac.signal });
    return 0;
  },
};

/**
 * console.enabled / console.device as the file says, read without validation: a config that
 * does not validate must not keep the rescue console off the line.
 */
function consoleSettings(configPath: string): { enabled?: boolean; device?: string } {
  try {
    const raw = parseJsonc(readConfigFile(configPath)) as { console?: { enabled?: unknown; device?: unknown } };
    const c = raw?.console ?? {};
    return { enabled: typeof c.enabled === 'boolean' ? c.enabled : undefined, device: typeof c.device === 'string' && c.device ? c.device : undefined };
  } catch {
    return {};
  }
}

function boardDebugUart(configPath: string): string {
  let model = 'l3plus';
  if (existsSync(configPath)) {
    try {
      model = checkConfigText(readConfigFile(configPath), configPath).config.hashboards.model;
    } catch {
      /* a broken config must not stop the rescue console: the default board's UART */
    }
  }
  const uart = loadBoard(model).controller.debugUart;
  if (!uart) throw new KabosuError('KBS_E_CONSOLE_TTY', `board ${model} names no debug UART`, { hint: 'pass --tty PATH' });
  return uart;
}
