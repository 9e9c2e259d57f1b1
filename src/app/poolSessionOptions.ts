/**
 * A configured pool's per-pool session options (the `pools[]` keys beyond url/user/password):
 * client.reconnect redirects, suggest/minimum difficulty, TLS trust. The CA file is read here
 * (I/O stays out of src/stratum); an unreadable one is a ConfigError naming the pool and path.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors';
import type { Logger } from 'pino';
import type { Clock } from '../hal/types';
import type { PoolSession } from '../stratum/types';
import { StratumV1Session, type V1SessionOptions } from '../stratum/v1/session';
import { StratumV2Session } from '../stratum/v2/session';
import { isV2Url } from '../stratum/v2/url';

export interface PoolSessionConfig {
  name?: string;
  allowRedirect?: boolean;
  suggestDifficulty?: number;
  minimumDifficulty?: number;
  tls?: { caFile?: string; fingerprint256?: string; insecure?: boolean };
}

export function poolSessionOptions(p: PoolSessionConfig): Pick<V1SessionOptions, 'allowRedirectHost' | 'suggestDifficulty' | 'minimumDifficulty' | 'tls'> {
  let ca: Buffer | undefined;
  if (p.tls?.caFile) {
    try {
      ca = readFileSync(p.tls.caFile);
    } catch (err) {
      throw new ConfigError('KBS_E_POOL_TLS_CA', `pool ${p.name ?? ''}: cannot read tls.caFile ${p.tls.caFile}: ${(err as Error).message}`, {
        hint: 'point pools[].tls.caFile at a readable PEM certificate (absolute path)',
      });
    }
  }
  const tls = p.tls && (ca || p.tls.fingerprint256 || p.tls.insecure)
    ? { ca, fingerprint256: p.tls.fingerprint256, insecure: p.tls.insecure === true }
    : undefined;
  return { allowRedirectHost: p.allowRedirect ?? false, suggestDifficulty: p.suggestDifficulty, minimumDifficulty: p.minimumDifficulty, tls };
}

/** What makes a configured pool a different session (a reload recreates it when this changes). */
export function poolSessionKey(p: PoolSessionConfig & { url: string; user: string; password?: string }): string {
  return JSON.stringify([p.url, p.user, p.password ?? '', p.allowRedirect ?? false, p.suggestDifficulty, p.minimumDifficulty, p.tls ?? null]);
}

/**
 * The session for a configured pool: `stratum2+tcp://host:port/AUTHORITY_KEY` is Stratum V2
 * (src/stratum/v2), anything else Stratum V1. Both are a PoolSession; the pool manager cannot tell.
 */
export function createPoolSession(
  p: PoolSessionConfig & { url: string; user: string; password?: string },
  clock: Clock,
  logger: Logger,
): PoolSession {
  const o = poolSessionOptions(p);
  if (isV2Url(p.url)) return new StratumV2Session({ url: p.url, user: p.user, clock, logger, allowRedirectHost: o.allowRedirectHost });
  return new StratumV1Session({ url: p.url, user: p.user, password: p.password ?? '', clock, logger, ...o });
}
