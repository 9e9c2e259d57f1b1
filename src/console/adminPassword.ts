import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { KabosuError } from '../core/errors';
import { writeFileAtomic } from '../store';

/**
 * The device admin password (the console's login; the setup wizard will share this store):
 * `<dataDir>/admin-password.json`, mode 0600, written atomically, holding only a salted scrypt
 * hash (N=2^14, r=8, p=1, 16-byte salt, 32-byte key). Verification is constant-time.
 */
export const ADMIN_PASSWORD_FILE = 'admin-password.json';
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;
export const MIN_PASSWORD_LENGTH = 8;

interface Stored {
  version: 1;
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
  set_at: string;
}

function derive(password: string, salt: Buffer, s: { N: number; r: number; p: number }, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keylen, { N: s.N, r: s.r, p: s.p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export class AdminPasswordStore {
  readonly path: string;
  constructor(dataDir: string) {
    this.path = join(dataDir, ADMIN_PASSWORD_FILE);
  }

  isSet(): boolean {
    return existsSync(this.path);
  }

  private read(): Stored {
    let s: Stored;
    try {
      s = JSON.parse(readFileSync(this.path, 'utf8')) as Stored;
    } catch (err) {
      throw new KabosuError('KBS_E_CONSOLE_PASSWORD_STORE', `cannot read ${this.path}: ${(err as Error).message}`, {
        hint: 'remove the file (as root) to set a new admin password at the next login',
      });
    }
    if (s.algorithm !== 'scrypt' || typeof s.salt !== 'string' || typeof s.hash !== 'string') {
      throw new KabosuError('KBS_E_CONSOLE_PASSWORD_STORE', `${this.path} is not an admin password record`, { hint: 'remove it to set a new admin password' });
    }
    return s;
  }

  async verify(password: string): Promise<boolean> {
    const s = this.read();
    const want = Buffer.from(s.hash, 'base64');
    const got = await derive(password, Buffer.from(s.salt, 'base64'), s, want.length);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  async set(password: string): Promise<void> {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new KabosuError('KBS_E_CONSOLE_PASSWORD_SHORT', `the admin password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const salt = randomBytes(16);
    const hash = await derive(password, salt, { N, r: R, p: P }, KEYLEN);
    const rec: Stored = { version: 1, algorithm: 'scrypt', N, r: R, p: P, salt: salt.toString('base64'), hash: hash.toString('base64'), set_at: new Date().toISOString() };
    writeFileAtomic(this.path, JSON.stringify(rec) + '\n', { mode: 0o600 });
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}
