import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { KabosuError, UsageError } from '../../core/errors';
import { PATH_OPTIONS } from '../../app/paths';
import { localRequest } from '../../api/local/client';
import type { DaemonStatus } from '../../app/status';
import { formatStatus } from '../../app/status';
import { daemonSockets, type DaemonSocket } from '../daemonSockets';

export const command: CliCommand = {
  summary: 'ask the running daemon how it is doing (--json for the full status)',
  async run(ctx) {
    let values;
    try {
      ({ values } = parseArgs({ args: ctx.argv, options: { ...PATH_OPTIONS, json: { type: 'boolean' } }, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message, 'usage: kabosu status [--json] [--config FILE] [--data-dir DIR] [--dev]');
    }
    const candidates = daemonSockets({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
    const { status, daemon } = await askFirst(candidates);
    if (values.json) ctx.stdout.write(JSON.stringify({ daemon: { socket: daemon.socketPath, dev: daemon.dev }, ...status }, null, 2) + '\n');
    else ctx.stdout.write(`daemon: ${daemon.dev ? 'dev (--dev, npm start)' : 'system'} at ${daemon.socketPath}\n${formatStatus(status)}`);
    return 0;
  },
};

/** The first candidate whose daemon answers; "not running" moves on, any other error stops. */
async function askFirst(candidates: DaemonSocket[]): Promise<{ status: DaemonStatus; daemon: DaemonSocket }> {
  for (const daemon of candidates) {
    try {
      return { status: await localRequest<DaemonStatus>(daemon.socketPath, 'GET', '/v1/status'), daemon };
    } catch (err) {
      if (!(err instanceof KabosuError && err.code === 'KBS_E_APP_NOT_RUNNING')) throw err;
    }
  }
  throw new KabosuError('KBS_E_APP_NOT_RUNNING', `no kabosu daemon is running (no control socket at ${candidates.map((c) => c.socketPath).join(' or ')})`, {
    hint: "start it with 'kabosu run' (same --config/--data-dir), or 'npm start'",
  });
}
