/** The only place MQTT topic strings are built (conventions 2.1). */
import { KabosuError } from '../../core/errors';

export const API_VERSION = 1;

export interface Topics {
  base: string;
  status: string;
  telemetry: string;
  pools: string;
  events: string;
  /** Retained update status (status.ota): version, slot, update state, last commit/rollback. */
  ota: string;
  chain(n: number): string;
  cmdFilter: string;
  cmdPrefix: string;
  reply(name: string): string;
}

const SEGMENT = /^[^#+/\s]{1,64}$/;

/** Topics under `<baseTopic>/<deviceId>`; refuses wildcard characters (z2m mqtt.ts). */
export function topics(baseTopic: string, deviceId: string): Topics {
  if (!/^[^#+\s]{1,64}$/.test(baseTopic) || !SEGMENT.test(deviceId)) {
    throw new KabosuError('KBS_E_TELEMETRY_TOPIC', `invalid MQTT topic base ${JSON.stringify(baseTopic)}/${JSON.stringify(deviceId)}`, { hint: 'no + # or spaces' });
  }
  const base = `${baseTopic}/${deviceId}`;
  return {
    base,
    status: `${base}/status`,
    telemetry: `${base}/telemetry`,
    pools: `${base}/pools`,
    events: `${base}/events`,
    ota: `${base}/ota`,
    chain: (n) => `${base}/chains/${n}`,
    cmdFilter: `${base}/cmd/#`,
    cmdPrefix: `${base}/cmd/`,
    reply: (name) => `${base}/reply/${name}`,
  };
}
