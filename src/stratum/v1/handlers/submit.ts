/** mining.submit `[user, job_id, extranonce2, ntime, nonce]` -> `true` or an error (stratum.md §1.4 codes). */
import type { Share } from '../../../work/workItem';
import type { SubmitResult } from '../../types';
import type { RpcMessage } from '../messages';

export function submitParams(user: string, share: Share): string[] {
  return [user, share.jobId, share.extranonce2, share.ntime, share.nonce];
}

export function submitOutcome(resp: RpcMessage & { kind: 'response' }, latencyMs: number): SubmitResult {
  if (resp.error === null && resp.result === true) return { accepted: true, latencyMs };
  const reason = resp.error?.message ?? (resp.result === false ? 'rejected' : 'bad reply');
  return { accepted: false, reason, code: resp.error?.code ?? null, latencyMs };
}
