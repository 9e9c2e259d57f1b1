import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store';
import { startDaemon, underSystemd, type RescueOptions } from './rescue';

/** The config a factory reset leaves: the schema's defaults (no pools, no secrets). */
export const FACTORY_CONFIG = { version: 1 };

/**
 * Erases what makes this miner someone's: the config (pools, passwords, tokens) is replaced by
 * the defaults, and every file in the data directory (device key, admin password, login state,
 * tuning profiles, history, energy) is removed but the running daemon's control socket. Under
 * systemd the daemon is restarted on the clean state.
 */
export function factoryReset(o: RescueOptions): string {
  writeFileAtomic(o.configPath, JSON.stringify(FACTORY_CONFIG, null, 2) + '\n', { mode: 0o600 });
  let removed = 0;
  for (const name of readdirSync(o.dataDir)) {
    if (name === 'kabosu.sock') continue;
    rmSync(join(o.dataDir, name), { recursive: true, force: true });
    removed++;
  }
  const restarted = underSystemd(o) ? `; ${startDaemon(o)}` : '; restart the daemon to start from the clean state';
  return `factory reset: config ${o.configPath} set to defaults, ${removed} files removed from ${o.dataDir}${restarted}`;
}
