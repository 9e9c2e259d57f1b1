import type { Logger } from 'pino';
import { KabosuError } from '../core/errors';
import { LineEditor, type EditorEvent } from './lineEditor';
import { afterFailure, waitMs, type FileThrottleState, type ThrottlePolicy, DEFAULT_THROTTLE } from './loginThrottle';
import { MIN_PASSWORD_LENGTH } from '../auth/adminPassword';
import { ConsoleUsageError, type CommandContext, type ConsoleEnv } from './commands/context';
import { auditLine, completions, findCommand } from './commands';
import { isSecretPath } from '../config/schemaWalk';
import { parseConfigPath } from './commands/config';

/**
 * One console session on one line (a tty or the local terminal): login (first login sets the
 * admin password), then commands until logout, idle timeout, end of input or hang-up. Bytes
 * come in through `input`; Ctrl-C while a command runs aborts it; a line with line noise in it
 * is never run. Every login (good or bad) and every command is audited.
 */
export interface ConsoleIO {
  /** Where this is: a tty path or "local". */
  where: string;
  write(text: string): void;
}

export interface SessionOptions extends ConsoleEnv {
  io: ConsoleIO;
  log: Logger;
  throttle: FileThrottleState;
  throttlePolicy?: ThrottlePolicy;
  idleTimeoutMs: number;
  /** Ctrl-D on an empty line ends the session (local terminal); on a serial line it is noise. */
  eofEnds?: boolean;
  now?: () => number;
}

export type SessionEnd = 'logout' | 'idle' | 'hangup' | 'eof';

type Read = EditorEvent | { type: 'idle' } | { type: 'hangup' };

export class ConsoleSession {
  private readonly editor = new LineEditor({ complete: completions });
  private pending?: (r: Read) => void;
  private buffered: Uint8Array = new Uint8Array(0);
  private running?: AbortController;
  private idleTimer?: NodeJS.Timeout;
  private hungUp = false;
  private loggedOut = false;
  private readonly now: () => number;

  constructor(private readonly o: SessionOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Bytes from the line. */
  input(chunk: Uint8Array): void {
    this.touch();
    if (this.pending) return this.feed(chunk);
    if (this.running && chunk.includes(0x03)) {
      this.buffered = new Uint8Array(0);
      this.running.abort();
      this.out('^C\n');
      return;
    }
    // Typeahead while a command runs (bounded).
    if (this.buffered.length < 1024) this.buffered = Buffer.concat([this.buffered, chunk]).subarray(0, 1024);
  }

  /** The line hung up (adapter unplugged, PTY closed, stdin ended). */
  hangup(): void {
    this.hungUp = true;
    this.running?.abort();
    this.settle({ type: 'hangup' });
  }

  private feed(chunk: Uint8Array): void {
    const r = this.editor.feed(chunk);
    if (r.out) this.o.io.write(r.out);
    if (r.event) {
      this.buffered = Buffer.from(r.rest);
      this.settle(r.event);
    }
  }

  private settle(r: Read): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(this.idleTimer);
    p(r);
  }

  private touch(): void {
    if (!this.pending) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.settle({ type: 'idle' }), this.o.idleTimeoutMs);
  }

  private read(prompt: string, secret = false): Promise<Read> {
    if (this.hungUp) return Promise.resolve({ type: 'hangup' });
    return new Promise((resolve) => {
      this.pending = resolve;
      this.o.io.write(this.editor.begin(prompt, { secret }));
      this.touch();
      const rest = this.buffered;
      this.buffered = new Uint8Array(0);
      if (rest.length) this.feed(rest);
    });
  }

  private out(text: string): void {
    this.o.io.write(text.replace(/\r?\n/g, '\r\n'));
  }

  private audit(kind: string, message: string, data: Record<string, unknown> = {}, severity: 'info' | 'warning' = 'info'): void {
    const d = { tty: this.o.io.where, ...data };
    this.o.log[severity === 'warning' ? 'warn' : 'info']({ event: kind, ...d }, message);
    void this.o.link.record(kind, message, d, severity).catch(() => false);
  }

  private sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted || this.hungUp) return resolve(false);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Login; true once logged in, false on hang-up or end of input. */
  async login(): Promise<boolean> {
    const alive = await this.o.link.alive();
    this.out(`\nkabosu console on ${this.o.io.where}${alive ? '' : ' -- the daemon is NOT running (rescue mode)'}\n`);
    for (;;) {
      if (!this.o.passwords.isSet()) {
        this.out(`No admin password is set on this device. Choose one (at least ${MIN_PASSWORD_LENGTH} characters); it is also the device's admin password.\n`);
        const a = await this.read('new admin password: ', true);
        if (a.type === 'hangup' || (a.type === 'eof' && this.o.eofEnds)) return false;
        if (a.type !== 'line' || (a.line === '' && a.noise === 0)) continue;
        const b = await this.read('again: ', true);
        if (b.type === 'hangup' || (b.type === 'eof' && this.o.eofEnds)) return false;
        if (b.type !== 'line') continue;
        if (a.noise || b.noise || a.line !== b.line) {
          this.out('the two entries differ; not set\n');
          continue;
        }
        try {
          await this.o.passwords.set(a.line);
        } catch (err) {
          this.out(`${(err as Error).message}\n`);
          continue;
        }
        this.audit('console_password_set', 'admin password set at first console login');
        this.audit('console_login', 'console login');
        return true;
      }
      const state = this.o.throttle.load();
      const wait = waitMs(state, this.now());
      if (wait > 0) {
        this.out(`too many failed logins: locked for ${Math.ceil(wait / 1000)} s\n`);
        // Typing during the lockout does nothing.
        if (!(await this.sleep(Math.min(wait, 5000)))) return false;
        this.buffered = new Uint8Array(0);
        continue;
      }
      const r = await this.read('password: ', true);
      if (r.type === 'hangup' || (r.type === 'eof' && this.o.eofEnds)) return false;
      if (r.type !== 'line' || (r.line === '' && r.noise === 0)) continue;
      let ok = false;
      try {
        ok = r.noise === 0 && (await this.o.passwords.verify(r.line));
      } catch (err) {
        this.out(`cannot check the password: ${(err as Error).message}\n`);
      }
      if (ok) {
        this.o.throttle.save({ failures: 0, lockedUntilMs: 0 });
        this.audit('console_login', 'console login');
        return true;
      }
      const next = afterFailure(state, this.now(), this.o.throttlePolicy ?? DEFAULT_THROTTLE);
      this.o.throttle.save(next);
      this.audit('console_login_failed', 'console login failed', { failures: next.failures }, 'warning');
      this.out('wrong password\n');
    }
  }

  /** Logs in, then runs commands until the session ends. */
  async run(): Promise<SessionEnd> {
    if (!(await this.login())) return this.hungUp ? 'hangup' : 'eof';
    this.loggedOut = false;
    let device = 'kabosu';
    for (;;) {
      const alive = await this.o.link.alive();
      if (alive && device === 'kabosu') device = await this.o.link.status().then((s) => s.device_id, () => device);
      const r = await this.read(`${device}${alive ? '' : '(rescue)'}> `);
      if (r.type === 'hangup') return this.end('hangup');
      if (r.type === 'eof') {
        if (this.o.eofEnds) return this.end('eof');
        continue;
      }
      if (r.type === 'idle') {
        this.out(`\nidle for ${Math.round(this.o.idleTimeoutMs / 1000)} s: logged out\n`);
        return this.end('idle');
      }
      if (r.type === 'interrupt') continue;
      if (r.noise > 0) {
        this.out(`ignored: the line had ${r.noise} unexpected byte${r.noise === 1 ? '' : 's'} (line noise?); nothing was run\n`);
        this.o.log.warn({ tty: this.o.io.where, noise: r.noise }, 'console line with line noise ignored');
        continue;
      }
      const words = r.line.trim().split(/\s+/).filter((w) => w.length > 0);
      if (words.length === 0) continue;
      await this.dispatch(words, alive);
      if (this.hungUp) return this.end('hangup');
      if (this.loggedOut) return this.end('logout');
    }
  }

  private end(why: SessionEnd): SessionEnd {
    this.audit('console_logout', `console session ended (${why})`, { reason: why });
    return why;
  }

  private async dispatch(words: string[], alive: boolean): Promise<void> {
    const cmd = findCommand(words[0]);
    if (!cmd) {
      this.out(`unknown command ${words[0]}; help lists the commands\n`);
      return;
    }
    if (cmd.daemon && !alive) {
      this.out(`the daemon is not running, and ${cmd.name} needs it. why says what happened; config validate/set to fix; start starts it\n`);
      return;
    }
    this.audit('console_command', auditLine(words, secretArg), { command: cmd.name });
    const ac = new AbortController();
    this.running = ac;
    const ctx: CommandContext = {
      ...this.o,
      args: words.slice(1),
      out: (t) => this.out(t),
      ask: async (prompt, opt) => {
        const r = await this.read(prompt, opt?.secret);
        return r.type === 'line' && r.noise === 0 ? r.line : null;
      },
      confirm: async (q, word = 'yes') => {
        const r = await this.read(`${q} type ${word} to confirm: `);
        return r.type === 'line' && r.noise === 0 && r.line.trim() === word;
      },
      signal: ac.signal,
      sleep: (ms) => this.sleep(ms, ac.signal),
      audit: (k, m, d) => this.audit(k, m, d),
      logout: () => (this.loggedOut = true),
    };
    try {
      await cmd.run(ctx);
    } catch (err) {
      if (err instanceof ConsoleUsageError) this.out(`${err.message}\nusage: ${err.usage}\n`);
      else if (err instanceof KabosuError) this.out(`error: ${err.message}${err.hint ? `\n  ${err.hint}` : ''}\n`);
      else {
        this.o.log.error({ err, command: cmd.name }, 'console command failed');
        this.out(`error: ${(err as Error)?.message ?? String(err)}\n`);
      }
    } finally {
      this.running = undefined;
    }
  }
}

function secretArg(p: string): boolean {
  try {
    return isSecretPath(parseConfigPath(p));
  } catch {
    return false;
  }
}
