/**
 * What a Stratum V1 method handler sees and returns. Handlers are pure: they read a snapshot of the
 * session (`HandlerContext`), validate params strictly and return effects for the session to apply.
 * Bad params throw a ProtocolError `KBS_E_STRATUM_BAD_PARAMS` naming the method and the problem.
 */
import { ProtocolError } from '../../../core/errors';
import type { Job } from '../../../work/job';
import type { RpcId } from '../messages';
import type { PoolEndpoint } from '../url';

export interface HandlerContext {
  /** set_difficulty value that the next mining.notify takes. */
  nextDifficulty: number;
  extranonce1: Buffer;
  extranonce2Size: number;
  endpoint: PoolEndpoint;
  /** client.reconnect may name another host (else: same host, port may change). */
  allowRedirectHost: boolean;
  agent: string;
  /** Why the last set_difficulty was refused, until a usable one arrives (undefined: usable). */
  unusableDifficulty?: string;
}

export type HandlerEffect =
  | { kind: 'difficulty'; difficulty: number; clampedFrom?: number }
  | { kind: 'badDifficulty'; value: string; reason: string }
  | { kind: 'unusableJob'; jobId: string; reason: string }
  | { kind: 'job'; job: Job }
  | { kind: 'extranonce'; extranonce1: Buffer; extranonce2Size: number }
  | { kind: 'reconnect'; host: string; port: number; waitMs: number }
  | { kind: 'refused'; method: string; reason: string; host: string; port: number }
  | { kind: 'message'; text: string }
  | { kind: 'reply'; id: number | string; result: unknown; error: unknown };

/** A server->client request or notification handler. */
export type ServerHandler = (params: readonly unknown[], id: RpcId, ctx: HandlerContext) => HandlerEffect[];

export const BAD_PARAMS = 'KBS_E_STRATUM_BAD_PARAMS';

export function badParams(method: string, problem: string): never {
  throw new ProtocolError(BAD_PARAMS, `${method}: ${problem}`, { context: { method, problem } });
}

const E1_HEX = /^(?:[0-9a-fA-F]{2}){0,32}$/;

/** extranonce1: even-length hex, at most 32 bytes. */
export function extranonce1Of(v: unknown, method: string): Buffer {
  if (typeof v !== 'string' || !E1_HEX.test(v)) badParams(method, 'extranonce1 must be hex of at most 32 bytes');
  return Buffer.from(v as string, 'hex');
}

/** extranonce2_size: an integer 1..16. */
export function extranonce2SizeOf(v: unknown, method: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 16) badParams(method, 'extranonce2_size must be an integer 1..16');
  return v as number;
}

/** A reply effect when the request carried an id, else nothing. */
export function replyTo(id: RpcId, result: unknown, error: unknown = null): HandlerEffect[] {
  return id === null ? [] : [{ kind: 'reply', id, result, error }];
}
