import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';
import { PATH_OPTIONS, resolvePaths } from '../../app/paths';
import { startDaemon } from '../../app/daemon';
import { SystemdNotifier } from '../../app/systemdNotify';

const USAGE = 'usage: kabosu run [--config FILE] [--data-dir DIR] [--dev]';

export const command: CliCommand = {
  summary: 'run the miner daemon (--dev: ./.kabosu/ with simulated boards and a local test pool)',
  async run(ctx) {
    let values;
    try {
      ({ values } = parseArgs({ args: ctx.argv, options: PATH_OPTIONS, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message, USAGE);
    }
    const paths = resolvePaths({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
    const daemon = await startDaemon({ paths, dev: Boolean(values.dev), env: ctx.env, logDestination: ctx.stdout });
    // Under the systemd unit (Type=notify): READY=1 now, watchdog pings, STOPPING=1 on a signal.
    const notifier = SystemdNotifier.fromEnv(ctx.env, daemon.logFor('systemd'));
    notifier?.ready(daemon.summary());
    await new Promise<void>((resolve) => {
      const onSignal = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        notifier?.stopping();
        void daemon.stop().then(resolve, resolve);
        void sig;
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    return 0;
  },
};
