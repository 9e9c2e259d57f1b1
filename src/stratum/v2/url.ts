/** SV2 pool URL: stratum2+tcp://host:port/AUTHORITY_PUBKEY (base58check, spec §4.7). */
import { ConfigError } from '../../core/errors';
import { decodeAuthorityKey } from './authority';

export interface V2Endpoint { host: string; port: number; authorityKey: Buffer; authorityKeyText: string }

export const isV2Url = (url: string): boolean => url.startsWith('stratum2+tcp://');

export function parseV2Url(url: string): V2Endpoint {
  const m = /^stratum2\+tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/([1-9A-HJ-NP-Za-km-z]{40,60})$/.exec(url);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) {
    throw new ConfigError('KBS_E_STRATUM_BAD_URL', `bad Stratum V2 pool URL '${url.slice(0, 200)}'`, {
      hint: 'use stratum2+tcp://host:port/AUTHORITY_PUBKEY (the pool\'s base58check authority key)',
    });
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port, authorityKey: decodeAuthorityKey(m[3]), authorityKeyText: m[3] };
}

export function formatV2Url(e: { host: string; port: number; authorityKeyText: string }): string {
  return `stratum2+tcp://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}/${e.authorityKeyText}`;
}
