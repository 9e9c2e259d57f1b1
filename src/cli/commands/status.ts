import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';
import { PATH_OPTIONS, resolvePaths } from '../../app/paths';
import { localRequest } from '../../api/local/client';
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
    const paths = resolvePaths({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
    const status = await localRequest<DaemonStatus>(paths.socketPath, 'GET', '/v1/status');
    ctx.stdout.write(values.json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status));
    return 0;
  },
};
