import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { AdminPasswordStore, passwordProblem } from '../../../auth/adminPassword';
import { LoginLimiter } from '../../../auth/loginLimiter';
import { SESSION_COOKIE, SessionStore, cookieValue, sameSecret, sessionCookie, type Session } from '../../../auth/sessions';
import { HttpApiError, type ApiReply, type ApiRequest, type Route } from '../server';

/**
 * The web UI's login: the admin password (src/auth), sessions in an HttpOnly SameSite=Strict
 * cookie, a CSRF token per session that every cookie-authorized write must carry in
 * `X-CSRF-Token`, a rate-limited login with lockout, first-boot setup (the password can be set
 * without login only while none is set), logout and logout everywhere.
 */
export const CSRF_HEADER = 'x-csrf-token';
/** Writes a browser may make without a session (they authorize themselves). */
const OPEN_WRITES = new Set(['/api/v1/auth/login', '/api/v1/auth/setup']);

export interface WebAuthOptions {
  passwords: AdminPasswordStore;
  /** api.http.ui.readWithoutLogin, read per request (hot reload). */
  readWithoutLogin: () => boolean;
  now?: () => number;
  limiter?: LoginLimiter;
}

export class WebAuth {
  readonly sessions = new SessionStore();
  private readonly limiter: LoginLimiter;
  private readonly now: () => number;

  constructor(private readonly o: WebAuthOptions) {
    this.limiter = o.limiter ?? new LoginLimiter();
    this.now = o.now ?? Date.now;
  }

  session(headers: IncomingHttpHeaders): Session | undefined {
    return this.sessions.get(cookieValue(headers.cookie, SESSION_COOKIE), this.now());
  }

  /** May this request read the dashboard's live stream? */
  mayRead(headers: IncomingHttpHeaders): boolean {
    return !this.o.passwords.isSet() || this.o.readWithoutLogin() || this.session(headers) !== undefined;
  }

  /** HttpApiServer's authorizeWrite: a session with the right CSRF token, or an open write. */
  authorizeWrite = (req: IncomingMessage): boolean => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (OPEN_WRITES.has(path)) return true;
    const s = this.session(req.headers);
    if (!s) return false;
    const given = req.headers[CSRF_HEADER];
    if (!sameSecret(typeof given === 'string' ? given : undefined, s.csrf)) {
      throw new HttpApiError(403, 'KBS_E_AUTH_CSRF', 'this write lacks a valid CSRF token', `send the csrf value of GET /api/v1/auth/session in the ${CSRF_HEADER} header`);
    }
    return true;
  };

  private login(req: ApiRequest): ApiReply {
    const s = this.sessions.create(this.now());
    return { json: { ok: true, csrf: s.csrf }, headers: { 'set-cookie': sessionCookie(s.id, { secure: req.secure }) } };
  }

  routes(): Route[] {
    const password = (body: unknown): unknown => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>).password : undefined);
    return [
      {
        method: 'GET',
        path: '/api/v1/auth/session',
        handler: (r) => {
          const s = this.session(r.headers);
          return { json: { setup_needed: !this.o.passwords.isSet(), logged_in: !!s, csrf: s?.csrf ?? null, read_without_login: this.o.readWithoutLogin() } };
        },
      },
      {
        method: 'POST',
        path: '/api/v1/auth/setup',
        handler: async (r) => {
          if (this.o.passwords.isSet()) throw new HttpApiError(409, 'KBS_E_AUTH_ALREADY_SET', 'the admin password is already set', 'log in with it; to change it, log in and use System > admin password');
          const pw = password(r.body);
          const problem = passwordProblem(pw);
          if (problem) throw new HttpApiError(400, 'KBS_E_AUTH_WEAK_PASSWORD', problem);
          await this.o.passwords.set(pw as string);
          return this.login(r);
        },
      },
      {
        method: 'POST',
        path: '/api/v1/auth/login',
        handler: async (r) => {
          const wait = this.limiter.lockedFor(r.remote, this.now());
          if (wait > 0) throw new HttpApiError(429, 'KBS_E_AUTH_LOCKED', `too many wrong passwords: try again in ${Math.ceil(wait / 1000)} s`, 'wait, then log in with the admin password');
          if (!this.o.passwords.isSet()) throw new HttpApiError(409, 'KBS_E_AUTH_SETUP_NEEDED', 'no admin password is set yet', 'open the web UI to run the setup wizard');
          if (!(await this.o.passwords.verify(password(r.body)))) {
            this.limiter.failed(r.remote, this.now());
            throw new HttpApiError(401, 'KBS_E_AUTH_WRONG_PASSWORD', 'wrong password');
          }
          this.limiter.succeeded(r.remote);
          return this.login(r);
        },
      },
      {
        method: 'POST',
        path: '/api/v1/auth/logout',
        handler: (r) => {
          const s = this.session(r.headers);
          if (s) this.sessions.delete(s.id);
          return { json: { ok: true }, headers: { 'set-cookie': sessionCookie('', { secure: r.secure, maxAgeS: 0 }) } };
        },
      },
      {
        method: 'POST',
        path: '/api/v1/auth/logout-all',
        handler: (r) => ({ json: { ok: true, sessions_ended: this.sessions.clear() }, headers: { 'set-cookie': sessionCookie('', { secure: r.secure, maxAgeS: 0 }) } }),
      },
      {
        method: 'POST',
        path: '/api/v1/auth/password',
        handler: async (r) => {
          const b = (r.body ?? {}) as Record<string, unknown>;
          if (!(await this.o.passwords.verify(b.current))) throw new HttpApiError(401, 'KBS_E_AUTH_WRONG_PASSWORD', 'the current password is wrong');
          const problem = passwordProblem(b.password);
          if (problem) throw new HttpApiError(400, 'KBS_E_AUTH_WEAK_PASSWORD', problem);
          await this.o.passwords.set(b.password as string);
          this.sessions.clear(); // every other browser logs in again
          return this.login(r);
        },
      },
    ];
  }
}
