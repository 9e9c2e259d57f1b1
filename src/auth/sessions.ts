import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';

/**
 * Login sessions of the web UI, in memory (a daemon restart logs everyone out): an unguessable
 * id for the cookie, a CSRF token per session that every write must echo in `X-CSRF-Token`, an
 * idle timeout, and `clear()` for "log out everywhere". Pure apart from randomBytes; time is
 * passed in.
 */
export interface Session {
  id: string;
  csrf: string;
  createdMs: number;
  lastSeenMs: number;
}

export const SESSION_COOKIE = 'kabosu_session';
export const SESSION_IDLE_MS = 12 * 3600_000;
const MAX_SESSIONS = 64;

const digest = (s: string) => createHash('sha256').update(s).digest();
export function sameSecret(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && timingSafeEqual(digest(a), digest(b));
}

export class SessionStore {
  private readonly byId = new Map<string, Session>();
  constructor(private readonly idleMs = SESSION_IDLE_MS) {}

  create(nowMs: number): Session {
    const s: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), createdMs: nowMs, lastSeenMs: nowMs };
    this.byId.set(s.id, s);
    while (this.byId.size > MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value as string); // the oldest goes
    return s;
  }

  /** The live session for a cookie value, refreshed; undefined when unknown or idle too long. */
  get(id: string | undefined, nowMs: number): Session | undefined {
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    if (nowMs - s.lastSeenMs > this.idleMs) {
      this.byId.delete(id);
      return undefined;
    }
    s.lastSeenMs = nowMs;
    return s;
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  /** Log out everywhere. */
  clear(): number {
    const n = this.byId.size;
    this.byId.clear();
    return n;
  }

  get size(): number {
    return this.byId.size;
  }
}

/** The value of cookie `name` in a Cookie header. Pure. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a session (HttpOnly, SameSite=Strict, Secure under TLS); maxAge 0 clears it. */
export function sessionCookie(id: string, o: { secure: boolean; maxAgeS?: number }): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${o.secure ? '; Secure' : ''}${o.maxAgeS !== undefined ? `; Max-Age=${o.maxAgeS}` : ''}`;
}
