/**
 * Parsing of one cgminer API request (pure, no I/O). JSON form `{"command":"a+b","parameter":"p"}`
 * when the text starts with `{`, else text form `cmd|param`. Bounded: longer input is refused.
 */
export const MAX_REQUEST_BYTES = 8192;
const MAX_COMMANDS = 16;
const COMMAND_RE = /^[a-z][a-z0-9_-]{0,31}$/;

export type RequestForm = 'json' | 'text';

export interface ApiRequest {
  form: RequestForm;
  /** Lower-cased, blanks dropped, duplicates collapsed, in order. */
  commands: string[];
  parameter: string | null;
  /** kabosu personality: token for privileged commands (JSON `token` key). */
  token: string | null;
}

export type ParseResult =
  | { ok: true; request: ApiRequest }
  /** code 23 invalid JSON, 24 missing command, 14 invalid command; form says how to answer. */
  | { ok: false; form: RequestForm; code: 14 | 23 | 24; msg: string };

/** True when `buf` holds a complete request (JSON parses, or any text). */
export function isComplete(buf: Buffer): boolean {
  const text = clean(buf);
  if (!text.startsWith('{')) return text.length > 0;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function clean(buf: Buffer): string {
  return buf.toString('utf8').replace(/\0+$/, '').trim();
}

export function parseRequest(buf: Buffer): ParseResult {
  if (buf.length > MAX_REQUEST_BYTES) return { ok: false, form: 'text', code: 14, msg: 'Invalid command' };
  const text = clean(buf);
  if (text.startsWith('{')) return parseJson(text);
  const bar = text.indexOf('|');
  const cmd = bar < 0 ? text : text.slice(0, bar);
  const param = bar < 0 ? null : text.slice(bar + 1);
  return finish('text', cmd, param, null);
}

function parseJson(text: string): ParseResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, form: 'json', code: 23, msg: 'Invalid JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, form: 'json', code: 23, msg: 'Invalid JSON' };
  const o = v as Record<string, unknown>;
  if (typeof o.command !== 'string') return { ok: false, form: 'json', code: 24, msg: 'Missing JSON \'command\'' };
  const p = o.parameter;
  const param = typeof p === 'string' ? p : typeof p === 'number' || typeof p === 'boolean' ? String(p) : null;
  const token = typeof o.token === 'string' ? o.token : null;
  return finish('json', o.command, param, token);
}

function finish(form: RequestForm, cmd: string, parameter: string | null, token: string | null): ParseResult {
  const parts = [...new Set(cmd.split('+').map((c) => c.trim().toLowerCase()).filter((c) => c.length > 0))];
  if (parts.length === 0 || parts.length > MAX_COMMANDS || !parts.every((c) => COMMAND_RE.test(c))) {
    return { ok: false, form, code: 14, msg: 'Invalid command' };
  }
  return { ok: true, request: { form, commands: parts, parameter, token } };
}
