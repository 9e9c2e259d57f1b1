import { isReloadable, SECTIONS } from './schema';

export interface SectionDiff {
  /** Top-level sections whose value changed. */
  sections: string[];
  reloadable: string[];
  needsRestart: string[];
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Which top-level sections differ between two configs, split by x-reloadable. Pure. */
export function diffSections(a: object, b: object): SectionDiff {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...SECTIONS, ...Object.keys(ra), ...Object.keys(rb)]);
  const sections = [...keys].filter((k) => !deepEqual(ra[k], rb[k]));
  return { sections, reloadable: sections.filter(isReloadable), needsRestart: sections.filter((s) => !isReloadable(s)) };
}
