import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';
import { UsageError } from '../../core/errors';
import { PATH_OPTIONS, resolvePaths } from '../../app/paths';
import { startDaemon } from '../../app/daemon';
import { SystemdNotifier } from '../../app/systemdNotify';

/** The whole stop, every component's bounded stop included. */
const STOP_DEADLINE_MS = 30_000;
/** How long a stopped daemon's process may linger on handles left behind. */
const LINGER_MS = 1_000;

function exitNow(log: { warn(o: object, m: string): void }, code: number, why: string): never {
  log.warn({ exitCode: code }, why);
  process.exit(code);
}

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
    const log = daemon.logFor('run');
    const code = await new Promise<number>((resolve) => {
      const onSignal = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        notifier?.stopping();
        // A second signal while stopping: the operator insists, exit now.
        const again = (): void => exitNow(log, 1, `second ${sig}: exiting without waiting for the stop`);
        process.once('SIGINT', again);
        process.once('SIGTERM', again);
        // Every component's stop is bounded (Lifecycle), but the whole stop is bounded too.
        const deadline = setTimeout(() => exitNow(log, 1, `stop did not finish within ${STOP_DEADLINE_MS / 1000} s: exiting`), STOP_DEADLINE_MS);
        deadline.unref();
        void daemon.stop().then(
          () => resolve(daemon.requestedExitCode ?? 0),
          () => resolve(1),
        ).finally(() => clearTimeout(deadline));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    // Stopped: a timer or socket some component left behind (a pool reconnect wait) must not
    // keep the process alive. It ends on its own when the loop drains, else shortly after.
    setTimeout(() => exitNow(log, code, 'stopped, but a handle still holds the process: exiting'), LINGER_MS).unref();
    return code;
    return 0;
  },
};
