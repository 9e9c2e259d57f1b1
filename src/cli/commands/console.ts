import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import pino from 'pino';
import type { CliCommand } from '../command';
import { KabosuError, UsageError } from '../../core/errors';
import { PATH_OPTIONS, resolvePaths } from '../../app/paths';
import { checkConfigText, readConfigFile } from '../../config';
import { loadBoard } from '../../config/boardLoader';
import { runLocalConsole, serveTty, buildConsoleEnv } from '../../console';

const USAGE = `usage: kabosu console [--tty PATH|board] [--baud N] [--term TYPE] [--idle-timeout S]
                      [--log-file F] [--unit NAME] [--reboot-command CMD] [--config F] [--data-dir D] [--dev]
  without --tty: a console session on this terminal against the running daemon
  --tty PATH: serve the console on a serial line (board: the board definition's debug UART)`;

/**
 * `kabosu console`: the diagnostics shell (src/console). With `--tty` it serves a serial line
 * forever (its own process under systemd: image/systemd/kabosu-console.service), reopening it
 * after a hang-up; without, one session on this terminal. Works with the daemon down (rescue).
 */
export const command: CliCommand = {
  summary: 'diagnostics shell: on this terminal, or served on a serial line (--tty PATH|board)',
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
    const paths = resolvePaths({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
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
      await runLocalConsole({ env, stdin: ctx.stdin, stdout: ctx.stdout, idleTimeoutMs: idle * 1000, dataDir: paths.dataDir, log });
      return 0;
    }
    const tty = values.tty === 'board' ? boardDebugUart(paths.configPath) : values.tty;
    const log = pino({ base: { component: 'console' } }, ctx.stdout as unknown as pino.DestinationStream);
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    log.info({ tty, baud, term }, 'console serving');
    await serveTty({ env, tty, baud, idleTimeoutMs: idle * 1000, dataDir: paths.dataDir, log, signal: ac.signal });
    return 0;
  },
};

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
