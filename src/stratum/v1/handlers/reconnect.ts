/**
 * client.reconnect `[host, port, wait_seconds]` (slush; stratum.md §1.3): host or port null/absent =
 * unchanged; port may be an integer or a decimal string (cpuminer); wait_seconds is honoured (capped
 * at MAX_RECONNECT_WAIT_MS). Another host is followed only when allowed (cpuminer's --no-redirect
 * turned around: refused by default); a refused request changes nothing.
 */
import { badParams, type HandlerEffect, type ServerHandler } from './types';

const M = 'client.reconnect';
export const MAX_RECONNECT_WAIT_MS = 300_000;
const HOST = /^[A-Za-z0-9._:-]{1,253}$/;

function hostOf(v: unknown, current: string): string {
  if (v === null || v === undefined || v === '') return current;
  if (typeof v !== 'string' || !HOST.test(v)) badParams(M, 'host must be a hostname, an IP address or null');
  return v as string;
}

function portOf(v: unknown, current: number): number {
  if (v === null || v === undefined) return current;
  const n = typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) badParams(M, 'port must be 1..65535 or null');
  return n as number;
}

function waitMsOf(v: unknown): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'string' && /^\d{1,6}(?:\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) badParams(M, 'wait_seconds must be a non-negative number or null');
  return Math.min(Math.round((n as number) * 1000), MAX_RECONNECT_WAIT_MS);
}

export const handleReconnect: ServerHandler = (params, _id, ctx): HandlerEffect[] => {
  const host = hostOf(params[0], ctx.endpoint.host);
  const port = portOf(params[1], ctx.endpoint.port);
  const waitMs = waitMsOf(params[2]);
  if (host.toLowerCase() !== ctx.endpoint.host.toLowerCase() && !ctx.allowRedirectHost) {
    return [{ kind: 'refused', method: M, reason: 'redirect to another host refused (allowRedirectHost is off)', host, port }];
  }
  return [{ kind: 'reconnect', host, port, waitMs }];
};
