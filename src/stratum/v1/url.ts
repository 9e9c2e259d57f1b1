/** Pool URL parsing: stratum+tcp://host:port and stratum+ssl://host:port (also stratum+tls). */
import { ConfigError } from '../../core/errors';

export interface PoolEndpoint { host: string; port: number; tls: boolean }

export function parsePoolUrl(url: string): PoolEndpoint {
  const m = /^stratum\+(tcp|ssl|tls):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/.exec(url);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) {
    throw new ConfigError('KBS_E_STRATUM_BAD_URL', `bad pool URL '${url.slice(0, 200)}'`, {
      hint: 'use stratum+tcp://host:port or stratum+ssl://host:port',
    });
  }
  return { host: m[2].replace(/^\[|\]$/g, ''), port, tls: m[1] !== 'tcp' };
}

export function formatPoolUrl(e: PoolEndpoint): string {
  const h = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `stratum+${e.tls ? 'ssl' : 'tcp'}://${h}:${e.port}`;
}

/** Jittered exponential backoff: attempt 0 -> ~base, doubling up to max, jitter in [50%, 100%]. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, rnd: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(d * (0.5 + 0.5 * Math.min(1, Math.max(0, rnd))));
}
