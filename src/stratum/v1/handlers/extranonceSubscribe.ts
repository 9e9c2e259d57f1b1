/**
 * mining.extranonce.subscribe `[]` -> `true`; or `false` / `[20,"Not supported.",null]` (NiceHash).
 * Unsupported is not an error: the session goes on without set_extranonce.
 */
import type { RpcMessage } from '../messages';

export type ExtranonceSubscribeOutcome = { supported: true } | { supported: false; reason: string };

export function extranonceSubscribeOutcome(resp: RpcMessage & { kind: 'response' }): ExtranonceSubscribeOutcome {
  if (!resp.error && resp.result === true) return { supported: true };
  return { supported: false, reason: resp.error?.message ?? (resp.result === false ? 'refused' : 'bad reply') };
}
