/**
 * The pool socket: plain TCP (stratum+tcp) or TLS (stratum+ssl/tls) with one of three trust modes:
 * - default: the system's public CAs, plus `ca` (PEM) when given; the hostname must match;
 * - `fingerprint256`: the leaf certificate's SHA-256 must equal the pin (checked before anything is
 *   sent). Alone it replaces chain validation (self-signed pools); with `ca`, both must hold;
 * - `insecure`: no verification at all (the session logs a warning on every connect).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConfigError } from '../../core/errors';
import type { PoolEndpoint } from './url';

export interface SessionTlsOptions {
  /** PEM CA certificate(s) to trust in addition to the public ones. */
  ca?: string | Buffer;
  /** Pinned SHA-256 fingerprint of the pool's certificate (64 hex digits, colons allowed). */
  fingerprint256?: string;
  /** Accept any certificate (a warning is logged on every connect). */
  insecure?: boolean;
  /** Legacy: rejectUnauthorized=false is the same as insecure. */
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** "AB:cd:..." or "abcd..." -> 64 lower-case hex digits; ConfigError otherwise. */
export function normalizeFingerprint(s: string): string {
  const hex = s.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new ConfigError('KBS_E_STRATUM_BAD_PIN', 'a certificate pin is 64 hex digits (SHA-256), colons allowed', {
      hint: 'openssl x509 -in pool.pem -noout -fingerprint -sha256',
    });
  }
  return hex;
}

export function isInsecure(t: SessionTlsOptions | undefined): boolean {
  return t?.insecure === true || t?.rejectUnauthorized === false;
}

export interface OpenedSocket { sock: net.Socket; readyEvent: 'connect' | 'secureConnect' }

export function openSocket(ep: PoolEndpoint, t: SessionTlsOptions | undefined): OpenedSocket {
  const { host, port } = ep;
  if (!ep.tls) return { sock: net.connect({ host, port }), readyEvent: 'connect' };
  const pinned = t?.fingerprint256 !== undefined;
  const verifyChain = !isInsecure(t) && !(pinned && t?.ca === undefined);
  const sock = tls.connect({
    host, port, ca: t?.ca === undefined ? undefined : [...tls.rootCertificates, t.ca.toString()],
    rejectUnauthorized: verifyChain, servername: t?.servername ?? (net.isIP(host) ? undefined : host),
  });
  return { sock, readyEvent: 'secureConnect' };
}

/** After secureConnect: why the peer is not the pinned one, or undefined when it is (or no pin). */
export function pinMismatch(sock: net.Socket, t: SessionTlsOptions | undefined): string | undefined {
  if (t?.fingerprint256 === undefined) return undefined;
  const want = normalizeFingerprint(t.fingerprint256);
  const cert = (sock as tls.TLSSocket).getPeerCertificate?.();
  const got = cert?.fingerprint256 ? cert.fingerprint256.replace(/:/g, '').toLowerCase() : undefined;
  if (got === want) return undefined;
  return `TLS certificate fingerprint ${got ?? '(none)'} does not match the pinned ${want}`;
}
