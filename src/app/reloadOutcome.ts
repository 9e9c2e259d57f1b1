/**
 * What a hot reload did, per changed config section (pure): a reloadable section is applied only
 * when it has a running owner (a component whose `reloads` names it, or the daemon itself for
 * `logging`) and every owner applied it; a section nobody applied is "not applied until restart".
 */
import type { ReloadResult } from './component';

/** Sections the daemon applies itself, not through a component (log levels). */
export const DAEMON_RELOADS = ['logging'] as const;

export interface ReloadOutcome {
  /** Changed reloadable sections now in effect. */
  applied: string[];
  /** Components that applied something. */
  appliedBy: string[];
  /** Changed sections that are not in effect until a restart (not reloadable, refused or unowned). */
  notApplied: string[];
  /** Why, per component or section (`name: reason`). */
  reasons: string[];
}

export function reloadOutcome(
  changed: readonly string[],
  isReloadable: (section: string) => boolean,
  results: ReadonlyArray<{ name: string; reloads: readonly string[]; result: ReloadResult }>,
  daemonApplied: readonly string[] = DAEMON_RELOADS,
): ReloadOutcome {
  const applied: string[] = [];
  const notApplied: string[] = [];
  const reasons: string[] = [];
  for (const s of changed) {
    if (!isReloadable(s)) {
      notApplied.push(s);
      reasons.push(`${s}: needs a restart`);
      continue;
    }
    if (daemonApplied.includes(s)) {
      applied.push(s);
      continue;
    }
    const owners = results.filter((r) => r.reloads.includes(s));
    const refused = owners.filter((r) => !r.result.applied);
    if (owners.length === 0) {
      notApplied.push(s);
      reasons.push(`${s}: no running component applies it`);
    } else if (refused.length > 0) {
      notApplied.push(s);
      for (const r of refused) reasons.push(`${r.name}: ${r.result.needsRestart ?? 'not applied'}`);
    } else applied.push(s);
  }
  const appliedBy = results.filter((r) => r.result.applied && r.reloads.some((s) => changed.includes(s))).map((r) => r.name);
  return { applied, appliedBy, notApplied, reasons };
}
