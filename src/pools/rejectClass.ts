/**
 * A bounded taxonomy for pool rejects. Pools put free text in the reject (many put the share's
 * difficulty in it: "low difficulty share of 0.0123"), so counting by the text grows one key per
 * reject; counts are kept by class instead, classified from the code and the text (the classic
 * codes of stratum.md §1.4: 21 job not found, 22 duplicate, 23 low difficulty, 24 unauthorized
 * worker, 25 not subscribed; SV2-style texts such as `stale-share`, `difficulty-too-low`). Pure.
 */
import { REJECT_CLASSES } from '../core/minerApi';

export { REJECT_CLASSES };
export type RejectClass = (typeof REJECT_CLASSES)[number];

/** The raw text kept per pool (the last reject) is cut to this many characters. */
export const REJECT_TEXT_MAX = 160;

export function emptyRejectCounts(): Record<RejectClass, number> {
  return { stale: 0, duplicate: 0, low_difficulty: 0, job_not_found: 0, unauthorized: 0, other: 0 };
}

/** The text says what happened more precisely than the code (21 is "job not found" and "stale"). */
export function classifyReject(code: number | null, text: string): RejectClass {
  const t = text.toLowerCase();
  if (/stale|expired|old job|block changed/.test(t)) return 'stale';
  if (/duplicate/.test(t)) return 'duplicate';
  if (/low.?diff|diff\w*.?too.?low|above.?target|high.?hash|target.?not.?met/.test(t)) return 'low_difficulty';
  if (/job.{0,12}(not found|unknown|invalid)|(unknown|invalid).?job/.test(t)) return 'job_not_found';
  if (/unauthori[sz]ed|not authori[sz]ed|not subscribed|unknown (user|worker)|invalid (user|worker)/.test(t)) return 'unauthorized';
  switch (code) {
    case 21: return 'job_not_found';
    case 22: return 'duplicate';
    case 23: return 'low_difficulty';
    case 24: case 25: return 'unauthorized';
    default: return 'other';
  }
}

/** The reject text as kept for display: control characters dropped, cut to REJECT_TEXT_MAX. */
export function rejectText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > REJECT_TEXT_MAX ? `${clean.slice(0, REJECT_TEXT_MAX - 1)}…` : clean;
}
