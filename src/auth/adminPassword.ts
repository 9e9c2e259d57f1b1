import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { KabosuError } from '../core/errors';
import { writeFileAtomic } from '../store/atomicWrite';

/**
 * The miner's admin password (web UI login, the serial console): a salted scrypt hash in
 * `<dataDir>/admin-password.json` (mode 0600, written atomically). The password itself is never
 * stored or logged. One small module so every interface that asks for the password shares it.
 */
export const ADMIN_PASSWORD_FILE = 'admin-password.json';
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/** scrypt cost: N=2^14, r=8 (16 MiB, ~50 ms on a Cortex-A8; OWASP's minimum is N=2^17 r=8 for servers, a miner has less memory). */
const PARAMS = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

interface StoredHash {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
  set_at_ms: number;
}

export class AdminPasswordError extends KabosuError {}

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, { ...opts, maxmem: 64 * 1024 * 1024 }, (e, k) => (e ? reject(e) : resolve(k))));
}

/** Why a new password is refused, or undefined when it is acceptable. Pure. */
export function passwordProblem(pw: unknown): string | undefined {
  if (typeof pw !== 'string') return 'the password must be a string';
  if ([...pw].length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (pw.length > MAX_PASSWORD_LENGTH) return `the password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

export class AdminPasswordStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, ADMIN_PASSWORD_FILE);
  }

  private read(): StoredHash | null {
    // Read every time (a tiny file, read on a login): the console is another process and may set
    // or change the password while the daemon runs.
    if (!existsSync(this.path)) return null;
    let parsed: StoredHash;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8')) as StoredHash;
    } catch (e) {
      throw new AdminPasswordError('KBS_E_AUTH_STORE', `cannot read ${this.path}: ${(e as Error).message}`, {
        hint: `remove ${this.path} to set a new admin password through the setup wizard (this re-opens first-boot setup)`,
      });
    }
    if (parsed.v !== 1 || parsed.kdf !== 'scrypt' || typeof parsed.salt !== 'string' || typeof parsed.hash !== 'string') {
      throw new AdminPasswordError('KBS_E_AUTH_STORE', `${this.path} is not an admin password file this version knows`, { hint: `remove ${this.path} and set the password again` });
    }
    return parsed;
  }

  /** True once an admin password has been set (first boot: false). */
  isSet(): boolean {
    return this.read() !== null;
  }

  /** Sets (or replaces) the password; refuses a weak one with a KBS_E_AUTH_WEAK_PASSWORD error. */
  async set(password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AdminPasswordError('KBS_E_AUTH_WEAK_PASSWORD', problem, { hint: `choose a password of ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters` });
    const salt = randomBytes(16);
    const hash = await scrypt(password, salt, PARAMS.keylen, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p });
    const rec: StoredHash = { v: 1, kdf: 'scrypt', N: PARAMS.N, r: PARAMS.r, p: PARAMS.p, salt: salt.toString('base64'), hash: hash.toString('base64'), set_at_ms: Date.now() };
    writeFileAtomic(this.path, JSON.stringify(rec) + '\n', { mode: 0o600 });
  }

  /** Forgets the password (factory reset): the next login or the web wizard sets a new one. */
  clear(): void {
    rmSync(this.path, { force: true });
  }

  /** Constant-time check; false when no password is set. */
  async verify(password: unknown): Promise<boolean> {
    const rec = this.read();
    if (!rec || typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) return false;
    const want = Buffer.from(rec.hash, 'base64');
    const got = await scrypt(password, Buffer.from(rec.salt, 'base64'), want.length, { N: rec.N, r: rec.r, p: rec.p });
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** When the password was last set (ms since epoch), for "logout everywhere" on change. */
  setAtMs(): number | null {
    return this.read()?.set_at_ms ?? null;
  }
}
