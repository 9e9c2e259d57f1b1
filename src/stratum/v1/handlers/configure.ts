/**
 * mining.configure (BIP310; stratum.md §1.3), sent before mining.subscribe. kabosu asks only for
 * `minimum-difficulty` (when a minimum is configured): `version-rolling` reuses SHA-256 midstates
 * and buys nothing for scrypt (and would corrupt Dogecoin's chain id bits), so it is never asked.
 * The reply is advisory: an error, null, `{}` (NOMP), `false` for the extension, or no reply at
 * all change nothing; the session never waits on it.
 */
import { ConfigError } from '../../../core/errors';
import type { RpcMessage } from '../messages';

export function configureParams(o: { minimumDifficulty: number }): [string[], Record<string, number>] {
  const d = o.minimumDifficulty;
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) {
    throw new ConfigError('KBS_E_STRATUM_BAD_MIN_DIFFICULTY', `mining.configure: minimum difficulty ${String(d)} is not a positive number`, { hint: 'set minimumDifficulty to a positive number or leave it out' });
  }
  return [['minimum-difficulty'], { 'minimum-difficulty.value': d }];
}

export type ConfigureOutcome =
  | { minimumDifficulty: true }
  | { minimumDifficulty: false; reason: string };

export function configureOutcome(resp: RpcMessage & { kind: 'response' }): ConfigureOutcome {
  if (resp.error) return { minimumDifficulty: false, reason: `error: ${resp.error.message}` };
  const r = resp.result;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return { minimumDifficulty: false, reason: r === null ? 'null result' : 'bad result' };
  const v = (r as Record<string, unknown>)['minimum-difficulty'];
  if (v === true) return { minimumDifficulty: true };
  return { minimumDifficulty: false, reason: v === undefined ? 'extension not known to the pool' : `refused (${typeof v === 'string' ? v.slice(0, 100) : String(v)})` };
}
