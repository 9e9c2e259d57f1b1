import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StoreError } from '../core/errors';
import { writeFileAtomic } from './atomicWrite';

/**
 * A checksummed JSON document on disk. Each file is an envelope
 * `{"kabosuStore":1,"sha256":"<hex of the data's JSON>","data":<document>}`; every write first
 * keeps the current good copy as `<path>.bak`, then replaces `<path>` atomically. A read verifies
 * the checksum and falls back to the `.bak` copy when the primary is torn or corrupt, saying
 * which copy it used.
 */
export type StoreSource = 'primary' | 'backup';

export interface StoreRead<T> {
  data: T;
  source: StoreSource;
  /** Why the primary was not used, when source is 'backup'. */
  primaryProblem?: string;
}

const ENVELOPE_VERSION = 1;

export function backupPathOf(path: string): string {
  return `${path}.bak`;
}

export function encodeEnvelope(data: unknown): string {
  const body = JSON.stringify(data);
  if (body === undefined) throw new StoreError('KBS_E_STORE_VALUE', 'cannot store undefined or a function', { hint: 'store a JSON value' });
  const sha256 = createHash('sha256').update(body).digest('hex');
  return `{"kabosuStore":${ENVELOPE_VERSION},"sha256":"${sha256}","data":${body}}\n`;
}

/** Returns the document, or a string saying what is wrong with the text. Pure. */
export function decodeEnvelope(text: string): { ok: true; data: unknown } | { ok: false; problem: string } {
  if (text.length === 0) return { ok: false, problem: 'empty file' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON (torn or corrupt)' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, problem: 'not a store envelope' };
  const env = parsed as Record<string, unknown>;
  if (env.kabosuStore !== ENVELOPE_VERSION) return { ok: false, problem: `unknown envelope version ${JSON.stringify(env.kabosuStore)}` };
  if (typeof env.sha256 !== 'string' || !('data' in env)) return { ok: false, problem: 'envelope without checksum or data' };
  const actual = createHash('sha256').update(JSON.stringify(env.data)).digest('hex');
  if (actual !== env.sha256) return { ok: false, problem: 'checksum mismatch' };
  return { ok: true, data: env.data };
}

function readCopy(path: string): { ok: true; data: unknown } | { ok: false; problem: string; missing: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' ? 'missing' : `unreadable (${code ?? (err as Error).message})`, missing: code === 'ENOENT' };
  }
  const r = decodeEnvelope(text);
  return r.ok ? r : { ...r, missing: false };
}

/**
 * Reads a document written by writeJson. Returns undefined when neither copy exists (first run).
 * Throws StoreError when copies exist but none is intact.
 */
export function readJson<T = unknown>(path: string): StoreRead<T> | undefined {
  const primary = readCopy(path);
  if (primary.ok) return { data: primary.data as T, source: 'primary' };
  const backup = readCopy(backupPathOf(path));
  if (backup.ok) return { data: backup.data as T, source: 'backup', primaryProblem: primary.problem };
  if (primary.missing && backup.missing) return undefined;
  throw new StoreError('KBS_E_STORE_CORRUPT', `no intact copy of ${path}: primary ${primary.problem}, backup ${backup.problem}`, {
    hint: `move ${path} and ${backupPathOf(path)} aside; kabosu starts that document afresh`,
    context: { path },
  });
}

/** Writes a document: keeps the current intact copy as `.bak`, then replaces the primary atomically. */
export function writeJson(path: string, data: unknown, opts: { mode?: number } = {}): void {
  const text = encodeEnvelope(data);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  // Only an intact primary becomes the backup: a corrupt one must not overwrite the last good copy.
  if (current !== undefined && decodeEnvelope(current).ok) writeFileAtomic(backupPathOf(path), current, opts);
  writeFileAtomic(path, text, opts);
}
