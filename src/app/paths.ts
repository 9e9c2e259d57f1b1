import { join, resolve } from 'node:path';

/**
 * Where the daemon keeps its files. Production: /etc/kabosu/config.json and /var/lib/kabosu;
 * `--dev` (what `npm start` uses): ./.kabosu/ for both, created on first run.
 */
export interface DaemonPaths {
  configPath: string;
  dataDir: string;
  /** The local control socket (`kabosu status` and friends). */
  socketPath: string;
}

export const DEFAULT_CONFIG_PATH = '/etc/kabosu/config.json';
export const DEFAULT_DATA_DIR = '/var/lib/kabosu';
export const DEV_DIR = '.kabosu';

export function resolvePaths(o: { config?: string; dataDir?: string; dev?: boolean; cwd: string; env: NodeJS.ProcessEnv }): DaemonPaths {
  const devDir = resolve(o.cwd, DEV_DIR);
  const configPath = resolve(o.cwd, o.config ?? o.env.KABOSU_CONFIG ?? (o.dev ? join(devDir, 'config.json') : DEFAULT_CONFIG_PATH));
  const dataDir = resolve(o.cwd, o.dataDir ?? o.env.KABOSU_DATA_DIR ?? (o.dev ? devDir : DEFAULT_DATA_DIR));
  return { configPath, dataDir, socketPath: join(dataDir, 'kabosu.sock') };
}

/** The flags every daemon-facing command accepts. */
export const PATH_OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  dev: { type: 'boolean' },
} as const;
