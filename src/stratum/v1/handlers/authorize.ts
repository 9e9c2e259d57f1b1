/** mining.authorize `[user, password]` -> `true` | `false` | error. The password never appears in a reason. */
import type { RpcMessage } from '../messages';

export type AuthorizeOutcome = { ok: true } | { ok: false; reason: string };

export function authorizeOutcome(resp: RpcMessage & { kind: 'response' }, user: string): AuthorizeOutcome {
  if (!resp.error && resp.result === true) return { ok: true };
  return { ok: false, reason: `authorize failed for ${user}: ${resp.error?.message ?? 'refused'}` };
}
