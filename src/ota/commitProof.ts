import type { DaemonStatus } from '../core/minerApi';

/**
 * Has the version on trial proven itself (docs/ota.md "Commit only after proof")? Every one of:
 *  - ready: every component started (the daemon sent READY=1) and none is failed or, if
 *    critical, anything but running;
 *  - interlocks alive: thermal control runs, the interlock is armed, no board tripped, the
 *    out-of-loop worker (when configured) not failed;
 *  - mining: an accepted share since this start; with no pool configured, a clean chain scan
 *    (every chain found all its chips).
 * `wait` while something is missing and the window is open; `rollback` with what was missing
 * once it closes. Pure.
 */
export interface ProofInput {
  status: DaemonStatus;
  /** Lifecycle start finished (READY=1 sent or due). */
  started: boolean;
  poolsConfigured: boolean;
  elapsedMs: number;
  windowMs: number;
}

export type ProofVerdict = { verdict: 'commit'; reason: string } | { verdict: 'wait'; missing: string[] } | { verdict: 'rollback'; reason: string };

export function missingProof(i: Omit<ProofInput, 'elapsedMs' | 'windowMs'>): { missing: string[]; proof: string } {
  const s = i.status;
  const missing: string[] = [];
  const bad = s.components.filter((c) => c.state === 'failed' || (c.critical && c.state !== 'running'));
  if (!i.started) missing.push('READY=1 not reached');
  for (const c of bad) missing.push(`component ${c.name} is ${c.state}`);
  const t = s.thermal;
  if (!t) missing.push('thermal control not running');
  else {
    if (!t.interlock.armed) missing.push('safety interlock not armed');
    if (t.boards.some((b) => b.state === 'tripped')) missing.push('a board is powered off by the interlock');
    if (t.interlock.worker === 'failed') missing.push('out-of-loop interlock worker failed');
  }
  let proof = '';
  if (i.poolsConfigured) {
    if (s.shares.accepted > 0) proof = `${s.shares.accepted} accepted share(s)`;
    else missing.push('no accepted share yet');
  } else {
    const clean = s.chains.length > 0 && s.chains.every((c) => c.chips_found === c.chips_expected && c.chips_expected > 0);
    if (clean) proof = `clean chain scan (${s.chains.map((c) => `${c.chips_found}/${c.chips_expected}`).join(', ')} chips)`;
    else missing.push(s.chains.length === 0 ? 'no chain scanned' : 'chain scan not clean');
  }
  return { missing, proof };
}

export function judgeTrial(i: ProofInput): ProofVerdict {
  const { missing, proof } = missingProof(i);
  if (missing.length === 0) return { verdict: 'commit', reason: `ready, interlocks alive, ${proof} within ${Math.round(i.elapsedMs / 1000)} s` };
  if (i.elapsedMs >= i.windowMs) return { verdict: 'rollback', reason: `no proof within ${Math.round(i.windowMs / 1000)} s: ${missing.join('; ')}` };
  return { verdict: 'wait', missing };
}
