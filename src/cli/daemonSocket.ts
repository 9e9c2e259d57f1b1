import { KabosuError } from '../core/errors';
import { localRequest } from '../api/local/client';
import { resolvePaths } from '../app/paths';

/** Which daemon answered a CLI request: its control socket, and whether it is `npm start`'s. */
export interface DaemonAnswer<T> {
  body: T;
  socketPath: string;
  dev: boolean;
}

interface Where {
  config?: string;
  dataDir?: string;
  dev?: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Asks the running daemon. With no --dev, --config, --data-dir or KABOSU_DATA_DIR/KABOSU_CONFIG
 * the system daemon is asked first and, when none runs, the dev daemon `npm start` runs in this
 * directory (./.kabosu/); an explicit choice asks only that one.
 */
export async function askDaemon<T>(where: Where, method: string, path: string): Promise<DaemonAnswer<T>> {
  const explicit = where.dev || where.config !== undefined || where.dataDir !== undefined || where.env.KABOSU_DATA_DIR !== undefined || where.env.KABOSU_CONFIG !== undefined;
  const candidates = explicit ? [{ dev: !!where.dev }] : [{ dev: false }, { dev: true }];
  let first: KabosuError | undefined;
  for (const c of candidates) {
    const { socketPath } = resolvePaths({ ...where, dev: c.dev });
    try {
      return { body: await localRequest<T>(socketPath, method, path), socketPath, dev: c.dev };
    } catch (err) {
      if (!(err instanceof KabosuError) || err.code !== 'KBS_E_APP_NOT_RUNNING') throw err;
      first ??= err;
    }
  }
  if (candidates.length === 1) throw first!;
  const sys = resolvePaths({ ...where, dev: false }).socketPath;
  const dev = resolvePaths({ ...where, dev: true }).socketPath;
  throw new KabosuError('KBS_E_APP_NOT_RUNNING', `no kabosu daemon is running (no control socket at ${sys}, nor the dev daemon's at ${dev})`, {
    hint: "start it with 'kabosu run' (systemd: 'systemctl start kabosu'), or 'npm start' in this directory",
  });
}
