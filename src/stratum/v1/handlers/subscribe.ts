/**
 * mining.subscribe: params `[agent]` or `[agent, session_id]` (resume); result
 * `[[subscriptions], extranonce1_hex, extranonce2_size]` where subscriptions is `[[name, id], ...]`
 * or a single `[name, id]`. The mining.notify subscription id is the session id to resume with.
 */
import type { RpcMessage } from '../messages';

type Response = RpcMessage & { kind: 'response' };

export interface Subscription { sessionId?: string; extranonce1: Buffer; extranonce2Size: number }

export function subscribeParams(agent: string, sessionId: string | undefined): string[] {
  return sessionId ? [agent, sessionId] : [agent];
}

/** undefined when malformed. */
export function parseSubscribeResult(r: unknown): Subscription | undefined {
  if (!Array.isArray(r) || r.length < 3) return undefined;
  const [subs, e1, size] = r;
  if (typeof e1 !== 'string' || !/^(?:[0-9a-fA-F]{2}){0,32}$/.test(e1)) return undefined;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 16) return undefined;
  let sessionId: string | undefined;
  if (Array.isArray(subs)) {
    const list = Array.isArray(subs[0]) ? subs : [subs];
    for (const s of list) if (Array.isArray(s) && s[0] === 'mining.notify' && typeof s[1] === 'string' && s[1].length <= 64) sessionId = s[1];
  }
  return { sessionId, extranonce1: Buffer.from(e1, 'hex'), extranonce2Size: size };
}

export type SubscribeOutcome = { ok: true; sub: Subscription } | { ok: false; reason: string };

export function subscribeOutcome(resp: Response): SubscribeOutcome {
  if (resp.error) return { ok: false, reason: `subscribe failed: ${resp.error.message}` };
  const sub = parseSubscribeResult(resp.result);
  return sub ? { ok: true, sub } : { ok: false, reason: 'subscribe failed: bad result' };
}
