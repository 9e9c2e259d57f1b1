import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { KabosuError, UsageError } from '../../core/errors';
import type { DaemonStatus } from '../../core/minerApi';
import { PATH_OPTIONS } from '../../app/paths';
import { formatProfit } from '../../economics/format';
import { askDaemon } from '../daemonSocket';

/**
 * `kabosu profit [--json] [--apply]`: the running daemon's economics report (revenue, cost,
 * margin, break-even price, power source, tariff, policy, recommendation) over its control
 * socket; `--apply` applies the margin-maximising operating point now.
 */
const USAGE = 'usage: kabosu profit [--json] [--apply] [--config FILE] [--data-dir DIR] [--dev]';

export const command: CliCommand = {
  summary: 'what the miner earns and costs now, and the most profitable operating point (--json, --apply)',
  async run(ctx) {
    let values;
    try {
      ({ values } = parseArgs({ args: ctx.argv, options: { ...PATH_OPTIONS, json: { type: 'boolean' }, apply: { type: 'boolean' } }, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message, USAGE);
    }
    const where = { config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env };
    if (values.apply) {
      const r = await askDaemon<{ message: string }>(where, 'POST', '/v1/economics/apply');
      ctx.stdout.write(values.json ? JSON.stringify(r.body) + '\n' : r.body.message + '\n');
      return 0;
    }
    const a = await askDaemon<DaemonStatus>(where, 'GET', '/v1/status');
    const e = a.body.economics;
    if (!e) {
      throw new KabosuError('KBS_E_NOT_AVAILABLE', a.body.state === 'starting' ? 'economics has no report yet' : 'economics is off in this daemon', { hint: 'set economics.enabled: true (and prices: economics.market) in the config; the first report comes after economics.intervalS' });
    }
    ctx.stdout.write(values.json ? JSON.stringify(e, null, 2) + '\n' : formatProfit(e));
    return 0;
  },
};
