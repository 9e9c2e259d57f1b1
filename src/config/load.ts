import { accessSync, constants, mkdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import type { KabosuConfig } from './schema';
import { ConfigInvalidError } from './issues';
import { parseConfigText } from './positions';
import { applyOverrides, envOverrides } from './envOverrides';
import { validateConfigData, type ConfigWarning } from './validate';
import { decryptConfigSecrets, loadDeviceKey } from './secrets';

export const DEFAULT_CONFIG_PATH = '/etc/kabosu/config.json';
export const DEFAULT_DATA_DIR = '/var/lib/kabosu';

export interface LoadOptions {
  /** Explicit path (--config); else env KABOSU_CONFIG; else /etc/kabosu/config.json. */
  configPath?: string;
  /** Explicit data dir (--data-dir); else env KABOSU_DATA_DIR; else /var/lib/kabosu. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Decrypt `enc:v1:` secrets (default true). `config show` redacts anyway. */
  decrypt?: boolean;
}

export interface LoadedConfig {
  /** Validated, defaults applied, env overrides applied, secrets decrypted in memory. */
  config: KabosuConfig;
  warnings: ConfigWarning[];
  dataDir: string;
  configPath: string;
}

export function resolveConfigPaths(o: LoadOptions): { configPath: string; dataDir: string } {
  const env = o.env ?? {};
  const cwd = o.cwd ?? process.cwd();
  return {
    configPath: resolve(cwd, o.configPath ?? env.KABOSU_CONFIG ?? DEFAULT_CONFIG_PATH),
    dataDir: resolve(cwd, o.dataDir ?? env.KABOSU_DATA_DIR ?? DEFAULT_DATA_DIR),
  };
}

/** Reads the config file as text; one clear ConfigError when it is missing or unreadable. */
export function readConfigFile(configPath: string): string {
  try {
    if (statSync(configPath).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return readFileSync(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (err as Error).message})`;
    throw new ConfigError('KBS_E_CONFIG_READ', `config file ${configPath} ${why}`, {
      hint: code === 'ENOENT' ? 'pass --config FILE (or set KABOSU_CONFIG), or create it; docs/configuration.md lists every field' : `check the path and permissions of ${configPath}`,
      context: { configPath },
    });
  }
}

/** Creates the data dir (0700) when missing; one clear ConfigError when it cannot be used. */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!statSync(dataDir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('KBS_E_CONFIG_DATA_DIR', `data directory ${dataDir} cannot be used: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' || code === 'EEXIST' ? 'not a directory' : (code ?? (err as Error).message)}`, {
      hint: `create it writable by the kabosu user (mkdir -p -m 700 ${dataDir}), or pass --data-dir DIR (or set KABOSU_DATA_DIR)`,
      context: { dataDir },
    });
  }
}

/**
 * Validates text plus env overrides without touching the data dir (watcher and `validate` use
 * it). Throws ConfigInvalidError / ConfigError.
 */
export function checkConfigText(text: string, configPath: string, env: NodeJS.ProcessEnv = {}): { config: KabosuConfig; warnings: ConfigWarning[] } {
  const parsed = parseConfigText(text, configPath);
  if (!parsed.ok) throw new ConfigInvalidError(configPath, parsed.issues);
  const { data, sources } = applyOverrides(parsed.parsed.data, envOverrides(env));
  const effective = sources.size > 0 ? data : parsed.parsed.data;
  return validateConfigData(effective, configPath, parsed.parsed, { overrides: sources });
}

/** What the daemon calls at start: read, validate, apply env, create the data dir, decrypt. */
export async function loadConfig(o: LoadOptions = {}): Promise<LoadedConfig> {
  const env = o.env ?? {};
  const { configPath, dataDir } = resolveConfigPaths(o);
  const text = readConfigFile(configPath);
  const { config, warnings } = checkConfigText(text, configPath, env);
  ensureDataDir(dataDir);
  const plain = o.decrypt === false ? config : decryptConfigSecrets(config, () => loadDeviceKey(dataDir, { create: false }), configPath);
  return { config: plain, warnings, dataDir, configPath };
}

/**
 * The `load` function a ConfigWatcher needs: validate changed text with the same env overrides,
 * then decrypt secrets with the device key, exactly as loadConfig did at start.
 */
export function reloadLoader(o: { configPath: string; dataDir: string; env?: NodeJS.ProcessEnv }): (text: string) => { config: KabosuConfig; warnings: ConfigWarning[] } {
  return (text) => {
    const r = checkConfigText(text, o.configPath, o.env ?? {});
    return { config: decryptConfigSecrets(r.config, () => loadDeviceKey(o.dataDir, { create: false }), o.configPath), warnings: r.warnings };
  };
}
