/**
 * The embedded broker's two credentials: the operator's (telemetry.mqtt.broker.password, or one
 * generated at first start and kept in `<dataDir>/mqtt-broker-password`, mode 0600, written
 * atomically, so `mosquitto_pub -P "$(cat ...)"` works and the secret never reaches a log), and
 * the daemon's own (random per process, in memory only: nobody else can publish as the miner).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KabosuConfig } from '../config';
import { writeFileAtomic } from '../store/atomicWrite';
import type { Credential } from '../telemetry/brokerAcl';

export const BROKER_PASSWORD_FILE = 'mqtt-broker-password';

export interface BrokerCredentials {
  operator: Credential;
  /** Where the operator password lives when the config does not set it. */
  operatorPasswordFile?: string;
  daemon: Credential;
}

export function brokerCredentials(config: KabosuConfig, dataDir: string): BrokerCredentials {
  const b = config.telemetry.mqtt.broker;
  const daemon = { username: `kabosu-daemon-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('base64url') };
  if (b.password !== undefined) return { operator: { username: b.username, password: b.password }, daemon };
  const file = join(dataDir, BROKER_PASSWORD_FILE);
  let password = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (password.length < 16) {
    password = randomBytes(18).toString('base64url');
    mkdirSync(dataDir, { recursive: true });
    writeFileAtomic(file, `${password}\n`, { mode: 0o600 });
  }
  try { chmodSync(file, 0o600); } catch { /* read-only data dir: it was written 0600 */ }
  return { operator: { username: b.username, password }, operatorPasswordFile: file, daemon };
}
