import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * HTTP Digest authentication, server side, MD5 with qop=auth (RFC 7616 §3.4.1; RFC 2617 §3.2.2
 * for the qop-less legacy form). The stock Antminer web interface guards its CGIs this way
 * (user root); pyasic sends `httpx.DigestAuth("root", password)` (UpstreamData/pyasic,
 * pyasic/web/antminer.py). Pure apart from the clock and key passed in.
 *
 * Nonces are stateless: `<issued ms, hex>.<HMAC-SHA256(key, issued) prefix>`, valid `nonceTtlMs`;
 * an expired but genuine nonce gets `stale=true` so a client retries without asking the user.
 * Replays are refused by keeping each nonce's highest `nc` (bounded map).
 */
export const MD5 = (s: string): string => createHash('md5').update(s).digest('hex');

export interface DigestParams {
  username?: string;
  realm?: string;
  nonce?: string;
  uri?: string;
  response?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  algorithm?: string;
  opaque?: string;
}

/** Parses `Digest k="v", k2=v2` (quoted-string or token values); undefined if not Digest. */
export function parseDigestHeader(h: string | undefined): DigestParams | undefined {
  if (!h || h.length > 4096) return undefined;
  const m = /^Digest\s+(.*)$/is.exec(h.trim());
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/g;
  let x: RegExpExecArray | null;
  while ((x = re.exec(m[1])) !== null) out[x[1].toLowerCase()] = x[2] !== undefined ? x[2].replace(/\\(.)/g, '$1') : x[3];
  return out as DigestParams;
}

export type DigestVerdict = { ok: true; username: string } | { ok: false; stale: boolean; why: string };

export interface DigestOptions {
  realm: string;
  nowMs: () => number;
  nonceTtlMs?: number;
  /** HMAC key for nonces (default: random per process). */
  key?: Buffer;
}

const MAX_TRACKED = 1024;

export class DigestAuth {
  private readonly key: Buffer;
  private readonly ttl: number;
  private readonly opaque: string;
  private readonly lastNc = new Map<string, number>();

  constructor(private readonly o: DigestOptions) {
    this.key = o.key ?? randomBytes(32);
    this.ttl = o.nonceTtlMs ?? 300_000;
    this.opaque = MD5(this.key.toString('hex') + 'opaque');
  }

  private mac(issued: string): string {
    return createHmac('sha256', this.key).update(issued).digest('hex').slice(0, 32);
  }

  newNonce(): string {
    const issued = Math.floor(this.o.nowMs()).toString(16);
    return `${issued}.${this.mac(issued)}`;
  }

  /** The `WWW-Authenticate` value of a 401. */
  challenge(stale = false): string {
    return `Digest realm="${this.o.realm}", qop="auth", algorithm=MD5, nonce="${this.newNonce()}", opaque="${this.opaque}"${stale ? ', stale=true' : ''}`;
  }

  /** Checks an Authorization header for `method` on `requestUri` (path + query) against the user's password. */
  verify(header: string | undefined, method: string, requestUri: string, user: string, password: string): DigestVerdict {
    const p = parseDigestHeader(header);
    if (!p) return { ok: false, stale: false, why: 'no digest credentials' };
    if (!p.username || !p.nonce || !p.uri || !p.response) return { ok: false, stale: false, why: 'incomplete digest credentials' };
    if (p.uri !== requestUri) return { ok: false, stale: false, why: 'credentials are for another URI' };
    if (p.realm !== this.o.realm) return { ok: false, stale: false, why: 'wrong realm' };
    if (p.algorithm && p.algorithm.toUpperCase() !== 'MD5') return { ok: false, stale: false, why: `algorithm ${p.algorithm} is not supported (MD5 only)` };
    const [issued, mac] = p.nonce.split('.');
    if (!issued || !mac || !/^[0-9a-f]{1,16}$/.test(issued) || !safeEq(mac, this.mac(issued))) return { ok: false, stale: false, why: 'unknown nonce' };
    const expected = this.expectedResponse(p, method, password);
    const userOk = safeEq(p.username, user);
    if (!userOk || expected === undefined || !safeEq(p.response.toLowerCase(), expected)) return { ok: false, stale: false, why: 'wrong user or password' };
    // Only a correct response learns that its nonce expired (stale=true: retry with a new one).
    if (this.o.nowMs() - parseInt(issued, 16) > this.ttl) return { ok: false, stale: true, why: 'nonce expired' };
    if (p.qop) {
      const nc = parseInt(p.nc ?? '', 16);
      const last = this.lastNc.get(p.nonce) ?? 0;
      if (!(nc > last)) return { ok: false, stale: false, why: 'nonce count replayed' };
      if (this.lastNc.size >= MAX_TRACKED && !this.lastNc.has(p.nonce)) this.lastNc.delete(this.lastNc.keys().next().value as string);
      this.lastNc.set(p.nonce, nc);
    }
    return { ok: true, username: p.username };
  }

  private expectedResponse(p: DigestParams, method: string, password: string): string | undefined {
    const ha1 = MD5(`${p.username}:${this.o.realm}:${password}`);
    const ha2 = MD5(`${method}:${p.uri}`);
    if (!p.qop) return MD5(`${ha1}:${p.nonce}:${ha2}`);
    if (p.qop !== 'auth' || !p.nc || !/^[0-9a-fA-F]{8}$/.test(p.nc) || !p.cnonce) return undefined;
    return MD5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
  }
}

function safeEq(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}
