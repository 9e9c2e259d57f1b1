/**
 * The environment the shipped systemd unit (image/systemd/kabosu.service) gives the daemon, so
 * benchmarks start the firmware exactly as the controller does. Only `Environment=` lines are
 * read (systemd.exec(5): `Environment=KEY=VALUE`, optionally quoted as a whole).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICE_UNIT = join(__dirname, '../../image/systemd/kabosu.service');

export function serviceEnvironment(unitText = readFileSync(SERVICE_UNIT, 'utf8')): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of unitText.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('Environment=')) continue;
    let v = line.slice('Environment='.length).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    const eq = v.indexOf('=');
    if (eq > 0) env[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return env;
}
