import type { ErrorObject, ValidateFunction } from 'ajv';
import type { KabosuConfig } from './schema';
import { schemaHash } from './schemaHash';
import { ConfigInvalidError, describeValue, type ConfigIssue } from './issues';
import { locate, parseConfigText, pathToPointer, pointerToPath, type ParsedText } from './positions';
import { crossFieldIssues, type RuleIssue } from './rules';
import { isSecretPath, schemaAt, secretValuePaths, getAt, type SchemaNode } from './schemaWalk';
import { isEncrypted } from './secretFormat';

/** A warning the daemon logs and `config validate` prints; the config is still used. */
export interface ConfigWarning extends ConfigIssue {
  code: string;
}

export interface ValidatedConfig {
  config: KabosuConfig;
  warnings: ConfigWarning[];
}

let compiled: ValidateFunction | undefined;

/**
 * The pre-compiled validator (validator.generated.js) when it matches the schema; else compile
 * now (a stale generated file also fails test/unit/config/validatorSource.test.ts).
 */
function validator(): ValidateFunction {
  if (!compiled) {
    let generated: (ValidateFunction & { schemaHash?: string }) | undefined;
    try {
      generated = require('./validator.generated') as ValidateFunction & { schemaHash?: string };
    } catch {
      generated = undefined;
    }
    compiled = generated && generated.schemaHash === schemaHash() ? generated : (require('./validatorSource') as typeof import('./validatorSource')).compileValidator();
  }
  return compiled;
}

/** Which validator is in use (for the integrity test and diagnostics). */
export function validatorKind(): 'generated' | 'compiled' {
  return (validator() as { schemaHash?: string }).schemaHash === undefined ? 'compiled' : 'generated';
}

/** Values shown in errors: a secret field's value is never echoed. */
function shown(pointer: string, v: unknown): string {
  return isSecretPath(pointerToPath(pointer)) ? '(secret, not shown)' : describeValue(v);
}

/** Edit distance where insert, delete, substitute and swapping two neighbours each cost 1. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2][j - 2] + 1);
      rows[i][j] = v;
    }
  }
  return rows[a.length][b.length];
}

/** The known key closest to `key`, when it is close enough to be a typo. */
export function didYouMean(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function schemaIssue(e: ErrorObject): RuleIssue & { atKey?: boolean } {
  const pointer = e.instancePath;
  const parent = e.parentSchema as SchemaNode | undefined;
  const hint = parent?.description;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys(parent?.properties ?? {});
      const near = didYouMean(key, known);
      return {
        pointer: pathToPointer([...pointerToPath(pointer), key]),
        atKey: true,
        message: `unknown key "${key}"`,
        expected: known.length ? `one of: ${known.join(', ')}` : 'no keys here',
        found: `"${key}"`,
        hint: near ? `did you mean "${near}"?` : 'remove it; see docs/configuration.md for the keys of this section',
      };
    }
    case 'required':
      return { pointer, message: `missing required key "${String(p.missingProperty)}"`, expected: `a "${String(p.missingProperty)}" entry`, found: 'nothing', hint: describeField(pointer, String(p.missingProperty)) };
    case 'type':
      return { pointer, message: `wrong type`, expected: String(p.type), found: shown(pointer, e.data), hint };
    case 'enum':
      return { pointer, message: 'value not allowed', expected: `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, found: shown(pointer, e.data), hint };
    case 'const':
      return { pointer, message: 'value not allowed', expected: JSON.stringify(p.allowedValue), found: shown(pointer, e.data), hint: pointer === '/version' ? 'this kabosu reads config version 1' : hint };
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { pointer, message: 'value out of range', expected: `a number ${String(p.comparison)} ${String(p.limit)}`, found: shown(pointer, e.data), hint };
    case 'pattern':
      return { pointer, message: 'value has the wrong form', expected: `text matching ${String(p.pattern)}`, found: shown(pointer, e.data), hint };
    case 'propertyNames':
      return { pointer, message: `key "${String(p.propertyName)}" has the wrong form`, expected: 'lower-case component names (a-z 0-9 _ . -)', found: `"${String(p.propertyName)}"`, hint };
    default:
      return { pointer, message: e.message ?? e.keyword, expected: `${e.keyword} ${JSON.stringify(p)}`, found: shown(pointer, e.data), hint };
  }
}

function describeField(pointer: string, key: string): string | undefined {
  return schemaAt([...pointerToPath(pointer), key])?.description;
}

export interface ValidateOptions {
  /** Pointers whose values came from environment variables, keyed to the variable name. */
  overrides?: Map<string, string>;
}

function position(parsed: ParsedText | undefined, source: string, i: RuleIssue & { atKey?: boolean }, opts: ValidateOptions): ConfigIssue {
  const { atKey, ...rest } = i;
  for (const [ptr, variable] of opts.overrides ?? []) {
    if (i.pointer === ptr || i.pointer.startsWith(ptr + '/')) return { ...rest, source: `env ${variable}` };
  }
  const at = parsed ? locate(parsed, i.pointer, atKey) : undefined;
  return { ...rest, source, ...(at ?? {}) };
}

/**
 * Validates an already-parsed document (defaults applied to a copy). Throws ConfigInvalidError
 * carrying every problem, each with pointer, line/column, expected, found and a hint.
 */
export function validateConfigData(data: unknown, source: string, parsed?: ParsedText, opts: ValidateOptions = {}): ValidatedConfig {
  const copy: unknown = data === undefined ? undefined : structuredClone(data);
  const validate = validator();
  if (!validate(copy)) {
    const raw = (validate.errors ?? []).filter((e) => !(e.keyword === 'pattern' && e.propertyName !== undefined));
    const issues: RuleIssue[] = dedupe(raw.map(schemaIssue));
    // Rules whose inputs passed the schema still run, so every problem is reported at once.
    const isObject = typeof copy === 'object' && copy !== null && !Array.isArray(copy);
    const rules = isObject ? crossFieldIssues(copy as KabosuConfig, issues.map((i) => i.pointer)) : [];
    throw new ConfigInvalidError(source, [...issues, ...rules].map((i) => position(parsed, source, i, opts)));
  }
  const config = copy as KabosuConfig;
  const rules = crossFieldIssues(config);
  if (rules.length > 0) throw new ConfigInvalidError(source, rules.map((i) => position(parsed, source, i, opts)));
  return { config, warnings: plaintextSecretWarnings(data, source, parsed, opts) };
}

function dedupe<T extends { pointer: string; message: string }>(xs: T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(x.pointer + x.message) ? false : (seen.add(x.pointer + x.message), true)));
}

function plaintextSecretWarnings(data: unknown, source: string, parsed: ParsedText | undefined, opts: ValidateOptions): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  for (const path of secretValuePaths(data)) {
    const v = getAt(data, path);
    if (typeof v !== 'string' || isEncrypted(v)) continue;
    const pointer = pathToPointer(path);
    if ([...(opts.overrides?.keys() ?? [])].some((p) => pointer === p)) continue; // came from a _FILE variable
    out.push({
      ...position(parsed, source, { pointer, message: 'secret stored in plain text' }, opts),
      code: 'KBS_W_001',
      hint: `encrypt it: kabosu config set-secret ${path.join('/')} --config ${source} < file-holding-the-value`,
    });
  }
  return out;
}

/** Parses and validates config text; throws ConfigInvalidError (syntax or schema) with every issue. */
export function validateConfigText(text: string, sourceName: string): ValidatedConfig {
  const r = parseConfigText(text, sourceName);
  if (!r.ok) throw new ConfigInvalidError(sourceName, r.issues);
  return validateConfigData(r.parsed.data, sourceName, r.parsed);
}
