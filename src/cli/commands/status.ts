import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';
import { PATH_OPTIONS } from '../../app/paths';
import { askDaemon } from '../daemonSocket';
import type { DaemonStatus } from '../../app/status';
import { formatStatus } from '../../app/status';

export const command: CliCommand = {
  summary: 'ask the running daemon how it is doing (--json for the full status)',
  async run(ctx) {
    let values;
    try {
      ({ values } = parseArgs({ args: ctx.argv, options: { ...PATH_OPTIONS, json: { type: 'boolean' } }, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message, 'usage: kabosu status [--json] [--config FILE] [--data-dir DIR] [--dev]');
    }
    const a = await askDaemon<DaemonStatus>({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env }, 'GET', '/v1/status');
    // which daemon answered: in the JSON as `daemon`, for a person as the first line
    const daemon = { socket: a.socketPath, dev: a.dev };
    ctx.stdout.write(values.json ? JSON.stringify({ ...a.body, daemon }, null, 2) + '\n' : `${a.dev ? 'dev daemon (npm start)' : 'daemon'} at ${a.socketPath}\n${formatStatus(a.body)}`);
    return 0;
  },
};
