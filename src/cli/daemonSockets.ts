import { resolvePaths } from '../app/paths';

/** One control socket `kabosu status` may ask, and whether it is the dev daemon's (`./.kabosu/`). */
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
  const devSocket = resolvePaths({ cwd: o.cwd, env: {}, dev: true }).socketPath;
  const at = (socketPath: string): DaemonSocket => ({ socketPath, dev: socketPath === devSocket });
  const explicit = o.dev || o.config !== undefined || o.dataDir !== undefined || o.env.KABOSU_CONFIG !== undefined || o.env.KABOSU_DATA_DIR !== undefined;
  const chosen = at(resolvePaths(o).socketPath);
  return explicit ? [chosen] : [chosen, at(devSocket)];
}
