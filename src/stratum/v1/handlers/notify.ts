/** mining.notify `[job_id, prevhash, coinb1, coinb2, merkle_branch[], version, nbits, ntime, clean_jobs]`. */
import { parseNotify } from '../../../work/job';
import type { HandlerEffect, ServerHandler } from './types';

/**
 * The job takes the difficulty and extranonce in force now (set_difficulty/set_extranonce apply to
 * the next notify). After a refused set_difficulty (ctx.unusableDifficulty) the job is not mined:
 * an `unusableJob` effect instead, and the session treats the pool as failed.
 */
export const handleNotify: ServerHandler = (params, _id, ctx): HandlerEffect[] => {
  // parseNotify throws ProtocolError KBS_E_STRATUM_BAD_NOTIFY "mining.notify: <what>"
  const job = parseNotify(params, { difficulty: ctx.nextDifficulty, extranonce1: ctx.extranonce1, extranonce2Size: ctx.extranonce2Size });
  if (ctx.unusableDifficulty !== undefined) return [{ kind: 'unusableJob', jobId: job.jobId, reason: ctx.unusableDifficulty }];
  return [{ kind: 'job', job }];
};
