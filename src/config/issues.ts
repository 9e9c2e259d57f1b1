import { ConfigError } from '../core/errors';

/** One problem in a config file, in the terms a person can act on (conventions 2.5.4). */
export interface ConfigIssue {
  /** JSON pointer into the document ("" is the whole document). */
  pointer: string;
  /** Where it is: the file (with 1-based line/column when known) or an environment variable. */
  source: string;
  line?: number;
  column?: number;
  message: string;
  expected?: string;
  found?: string;
  hint?: string;
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line !== undefined ? `${i.source}:${i.line}:${i.column}` : i.source;
  const lines = [`${where} ${i.pointer || '/'}: ${i.message}`];
  if (i.expected !== undefined) lines.push(`    expected: ${i.expected}`);
  if (i.found !== undefined) lines.push(`    found:    ${i.found}`);
  if (i.hint !== undefined) lines.push(`    hint:     ${i.hint}`);
  return lines.join('\n');
}

/** A config that failed validation; `issues` holds every problem found (allErrors). */
export class ConfigInvalidError extends ConfigError {
  readonly issues: ConfigIssue[];
  constructor(source: string, unsorted: ConfigIssue[]) {
    const issues = [...unsorted].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    super('KBS_E_CONFIG_INVALID', `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${issues.map(formatIssue).join('\n')}`, {
      hint: 'fix the lines above and run `kabosu config validate FILE` again',
      context: { configPath: source, issues },
    });
    this.issues = issues;
  }
}

/**
 * A short rendering of a found value. Objects and arrays are described by size only: they may
 * hold secrets (a pool list), and error messages must never echo one.
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (v === null) return 'null';
  if (typeof v === 'object') {
    const n = Object.keys(v).length;
    return `an object with ${n} key${n === 1 ? '' : 's'}`;
  }
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 60 ? `${s.slice(0, 57)}...` : s}`;
}
