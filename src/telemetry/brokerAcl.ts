/**
 * Who may do what on the embedded broker (pure). Three kinds of client:
 * - `daemon`: kabosu's own publisher (a per-process random credential): publishes everything.
 * - `operator`: telemetry.mqtt.broker.username/password (Home Assistant, mosquitto_pub, a fleet
 *   tool): may publish commands to this miner and anything outside this miner's own tree
 *   (`homeassistant/status`, its own topics), never the miner's state (status, telemetry, events).
 * - `anonymous`: no or wrong credentials. With `anonymousRead` it may subscribe (telemetry carries
 *   no secrets); it may never publish, nor leave a will (a fake retained `offline`).
 */
import { timingSafeEqual } from 'node:crypto';

export type BrokerRole = 'daemon' | 'operator' | 'anonymous';

export interface Credential { username: string; password: string }

export interface BrokerAclOptions {
  /** `<baseTopic>/<deviceId>`: the miner's own tree. */
  deviceTree: string;
  daemon: Credential;
  operator: Credential;
  anonymousRead: boolean;
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The role of a client from its CONNECT credentials (password as sent: Buffer or undefined). */
export function roleOf(o: BrokerAclOptions, username: string | undefined, password: Buffer | string | undefined): BrokerRole {
  if (username === undefined || password === undefined) return 'anonymous';
  const pw = typeof password === 'string' ? password : password.toString('utf8');
  if (same(username, o.daemon.username) && same(pw, o.daemon.password)) return 'daemon';
  if (same(username, o.operator.username) && same(pw, o.operator.password)) return 'operator';
  return 'anonymous';
}

/** Null: allowed; else the reason it is refused. */
export function publishRefusal(o: BrokerAclOptions, role: BrokerRole, topic: string): string | null {
  if (role === 'daemon') return null;
  if (role === 'anonymous') return 'anonymous clients may not publish (use telemetry.mqtt.broker.username/password)';
  const tree = `${o.deviceTree}/`;
  if (topic.startsWith(`${tree}cmd/`)) return null;
  if (topic === o.deviceTree || topic.startsWith(tree)) return `only the miner publishes under ${o.deviceTree}/ (commands go to ${tree}cmd/<name>)`;
  return null;
}

export function subscribeRefusal(o: BrokerAclOptions, role: BrokerRole): string | null {
  return role === 'anonymous' && !o.anonymousRead ? 'anonymous clients may not subscribe (telemetry.mqtt.broker.anonymousRead is false)' : null;
}
