import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors';
import { ROOT, type SchemaNode } from './schemaWalk';
import { pathToPointer } from './positions';

/**
 * Environment overrides (conventions 2.5.6): `KABOSU_CONFIG_<PATH>=value`, where PATH is the
 * key path upper-cased with `_` between keys (`KABOSU_CONFIG_THERMAL_TARGETC=70`,
 * `KABOSU_CONFIG_API_HTTP_PORT=8081`, `KABOSU_CONFIG_POOLS_0_URL=...`; a camelCase key may also
 * be split: `TARGET_C`). Values are coerced to the schema's type. Secrets only come from a file:
 * `KABOSU_CONFIG_POOLS_0_PASSWORD_FILE=/run/secrets/pool`.
 */
export const ENV_PREFIX = 'KABOSU_CONFIG_';

export interface EnvOverride {
  variable: string;
  path: Array<string | number>;
  value: unknown;
}

const norm = (k: string) => k.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Resolves the tokens after the prefix to a schema path; undefined when nothing matches. */
function resolve(tokens: string[], node: SchemaNode): { path: Array<string | number>; node: SchemaNode } | undefined {
  if (tokens.length === 0) return { path: [], node };
  if (node.type === 'array' && node.items) {
    if (!/^\d+$/.test(tokens[0])) return undefined;
    const r = resolve(tokens.slice(1), node.items);
    return r && { path: [Number(tokens[0]), ...r.path], node: r.node };
  }
  if (!node.properties) return undefined;
  for (let n = tokens.length; n >= 1; n--) {
    const want = tokens.slice(0, n).join('');
    const key = Object.keys(node.properties).find((k) => norm(k) === want);
    if (key === undefined) continue;
    const r = resolve(tokens.slice(n), node.properties[key]);
    if (r) return { path: [key, ...r.path], node: r.node };
  }
  return undefined;
}

function coerce(variable: string, raw: string, node: SchemaNode): unknown {
  const bad = (expected: string) =>
    new ConfigError('KBS_E_CONFIG_ENV', `${variable}: cannot use ${JSON.stringify(raw.length > 40 ? raw.slice(0, 37) + '...' : raw)} as ${expected}`, { hint: `set ${variable} to ${expected}`, context: { variable } });
  const t = node.type ?? (node.const !== undefined ? typeof node.const : undefined);
  if (t === 'integer' || t === 'number') {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n)) throw bad(`a ${t}`);
    return n;
  }
  if (t === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    throw bad('true or false');
  }
  if (t === 'array' || t === 'object') {
    try {
      return JSON.parse(raw);
    } catch {
      throw bad(`JSON (${t})`);
    }
  }
  return raw;
}

/** Reads every KABOSU_CONFIG_* variable into typed overrides; throws ConfigError for bad ones. */
export function envOverrides(env: NodeJS.ProcessEnv, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): EnvOverride[] {
  const out: EnvOverride[] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(ENV_PREFIX) || value === undefined) continue;
    const fromFile = variable.endsWith('_FILE');
    const tokens = variable.slice(ENV_PREFIX.length, fromFile ? -'_FILE'.length : undefined).split('_').filter(Boolean);
    const hit = resolve(tokens, ROOT);
    if (!hit || hit.node.properties) {
      throw new ConfigError('KBS_E_CONFIG_ENV', `${variable} names no config field`, { hint: 'use KABOSU_CONFIG_<SECTION>_<KEY>, e.g. KABOSU_CONFIG_THERMAL_TARGETC=70', context: { variable } });
    }
    const secret = hit.node['x-secret'] === true;
    if (secret && !fromFile) {
      throw new ConfigError('KBS_E_CONFIG_ENV_SECRET', `${variable} would put a secret in the environment`, {
        hint: `write the value to a file readable only by kabosu and set ${variable}_FILE to its path`,
        context: { variable },
      });
    }
    let raw = value;
    if (fromFile) {
      try {
        raw = readFile(value).replace(/\r?\n$/, '');
      } catch (err) {
        throw new ConfigError('KBS_E_CONFIG_ENV', `${variable}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'check the path and its permissions', context: { variable } });
      }
    }
    out.push({ variable, path: hit.path, value: secret ? raw : coerce(variable, raw, hit.node) });
  }
  return out;
}

/** Applies overrides to a parsed document (creating missing parents); returns pointer -> variable. */
export function applyOverrides(data: unknown, overrides: EnvOverride[]): { data: unknown; sources: Map<string, string> } {
  const root: Record<string | number, unknown> = typeof data === 'object' && data !== null && !Array.isArray(data) ? structuredClone(data as Record<string, unknown>) : {};
  const sources = new Map<string, string>();
  for (const o of overrides) {
    let cur: Record<string | number, unknown> = root;
    o.path.forEach((seg, i) => {
      if (i === o.path.length - 1) {
        cur[seg] = o.value;
        return;
      }
      const next = cur[seg];
      if (typeof next !== 'object' || next === null) cur[seg] = typeof o.path[i + 1] === 'number' ? [] : {};
      cur = cur[seg] as Record<string | number, unknown>;
    });
    sources.set(pathToPointer(o.path), o.variable);
  }
  return { data: root, sources };
}
