import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';
import { VERSION } from '../../core/version';
import { resolvePaths, PATH_OPTIONS } from '../../app/paths';
import { otaPaths, runLauncher } from '../../ota';

/**
 * `kabosu launch run [--config F] [--data-dir D]`: the unit's ExecStart. Starts the app slot the
 * OTA state chooses (src/ota/launcher.ts) with the arguments after `launch`.
 */
const USAGE = 'usage: kabosu launch run [--config FILE] [--data-dir DIR] [--dev]';

export const command: CliCommand = {
  summary: 'start the daemon from the A/B app slot the update state chooses (the systemd unit runs this)',
  async run(ctx) {
    if (ctx.argv[0] !== 'run') throw new UsageError('kabosu launch starts `run`', USAGE);
    let values;
    try {
      ({ values } = parseArgs({ args: ctx.argv.slice(1), options: PATH_OPTIONS, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message, USAGE);
    }
    const paths = resolvePaths({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
    return runLauncher({ paths: otaPaths(paths.dataDir), factoryVersion: VERSION, args: ctx.argv, env: ctx.env, log: (l) => ctx.stderr.write(JSON.stringify({ component: 'launcher', time: Date.now(), ...l }) + '\n') });
  },
};
