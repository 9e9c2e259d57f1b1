/** Strict JSON-RPC (Stratum V1 flavour) message validation. Pure; never throws. */
export type RpcId = number | string | null;

export type RpcMessage =
  | { kind: 'request'; id: RpcId; method: string; params: unknown[] }
  | { kind: 'response'; id: number | string; result: unknown; error: RpcError | null };

export interface RpcError { code: number | null; message: string }

export type ParseResult = { ok: true; msg: RpcMessage } | { ok: false; error: string };

function isId(v: unknown): v is RpcId {
  return v === null || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 64);
}

export function parseError(e: unknown): RpcError | null | undefined {
  if (e === null || e === undefined || e === false) return null;
  if (Array.isArray(e)) {
    const code = typeof e[0] === 'number' ? e[0] : null;
    return { code, message: typeof e[1] === 'string' ? e[1].slice(0, 256) : 'unknown error' };
  }
  if (typeof e === 'object') {
    const o = e as Record<string, unknown>;
    return { code: typeof o.code === 'number' ? o.code : null, message: typeof o.message === 'string' ? o.message.slice(0, 256) : 'unknown error' };
  }
  if (e === true || typeof e === 'string') return { code: null, message: String(e).slice(0, 256) };
  return undefined;
}

export function parseMessage(line: string): ParseResult {
  let v: unknown;
  try { v = JSON.parse(line); } catch { return { ok: false, error: 'not JSON' }; }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  if (!('id' in o) && !('method' in o)) return { ok: false, error: 'neither id nor method' };
  const id = o.id === undefined ? null : o.id;
  if (!isId(id)) return { ok: false, error: 'bad id' };
  if (typeof o.method === 'string') {
    if (o.method.length === 0 || o.method.length > 64) return { ok: false, error: 'bad method' };
    const params = o.params === undefined ? [] : o.params;
    if (!Array.isArray(params)) return { ok: false, error: 'params is not an array' };
    return { ok: true, msg: { kind: 'request', id, method: o.method, params } };
  }
  if ('method' in o) return { ok: false, error: 'method is not a string' };
  if (id === null) return { ok: false, error: 'response without id' };
  const error = parseError(o.error);
  if (error === undefined) return { ok: false, error: 'bad error field' };
  return { ok: true, msg: { kind: 'response', id, result: o.result === undefined ? null : o.result, error } };
}
