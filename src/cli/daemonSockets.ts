import { resolvePaths } from '../app/paths';

/** One control socket `kabosu status` may ask, and whether it is the `--dev` daemon's. */
export interface DaemonSocket {
  socketPath: string;
  dev: boolean;
}

/**
 * Where to look for a running daemon, in order (pure). An explicit choice (`--dev`,
 * `--config`, `--data-dir`, KABOSU_CONFIG, KABOSU_DATA_DIR) names one socket. Without one,
 * the system daemon's socket first, then the dev daemon's (`./.kabosu/`, what `npm start`
 * runs), so `npx kabosu status` finds `npm start`'s daemon without `--dev`.
 */
export function daemonSockets(o: { config?: string; dataDir?: string; dev?: boolean; cwd: string; env: NodeJS.ProcessEnv }): DaemonSocket[] {
  const explicit = o.dev || o.config !== undefined || o.dataDir !== undefined || o.env.KABOSU_CONFIG !== undefined || o.env.KABOSU_DATA_DIR !== undefined;
  const chosen = { socketPath: resolvePaths(o).socketPath, dev: Boolean(o.dev) && o.dataDir === undefined && o.env.KABOSU_DATA_DIR === undefined };
  if (explicit) return [chosen];
  return [chosen, { socketPath: resolvePaths({ ...o, dev: true }).socketPath, dev: true }];
}
