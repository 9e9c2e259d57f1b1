import { KabosuError } from '../core/errors';

/**
 * Why a bundle or an update step was refused. `reason` is a stable machine-readable word
 * (counted in the `ota_refused` event and shown in status), the message says what was wrong,
 * the hint what to do.
 */
export type RefusalReason =
  | 'unsigned'
  | 'bad_signature'
  | 'untrusted_key'
  | 'malformed'
  | 'truncated'
  | 'oversized'
  | 'wrong_arch'
  | 'wrong_board'
  | 'older_than_minimum'
  | 'replayed'
  | 'version_too_old_to_replace'
  | 'hash_mismatch'
  | 'size_mismatch'
  | 'no_space'
  | 'busy'
  | 'unsupported_payload'
  | 'download_failed';

export class OtaError extends KabosuError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    hint?: string,
    context?: Record<string, unknown>,
  ) {
    super(`KBS_E_OTA_${reason.toUpperCase()}`, message, { hint, context: { reason, ...context } });
  }
}
