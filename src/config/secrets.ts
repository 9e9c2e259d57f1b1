import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors';
import { writeFileAtomic } from '../store/atomicWrite';
import { ENC_PREFIX, isEncrypted } from './secretFormat';
import { getAt, schemaAt, secretFieldPaths, secretValuePaths, setAt } from './schemaWalk';
import { pathToPointer } from './positions';

/**
 * Secrets at rest (issue 2 item 6): AES-256-GCM under a 32-byte device key kept in
 * `<dataDir>/device.key` (0600, created on first run unless the image provisions it). Values are
 * stored as `enc:v1:<base64 iv|tag|ciphertext>` and decrypted only in memory.
 */
export const DEVICE_KEY_FILE = 'device.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface DeviceKey {
  key: Buffer;
  path: string;
}

export function deviceKeyPath(dataDir: string): string {
  return join(dataDir, DEVICE_KEY_FILE);
}

/** Reads the device key; creates one (0600) when `create` and the file is absent. */
export function loadDeviceKey(dataDir: string, opts: { create: boolean }): DeviceKey {
  const path = deviceKeyPath(dataDir);
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && opts.create) {
      key = randomBytes(KEY_BYTES);
      writeFileAtomic(path, key, { mode: 0o600 });
      return { key, path };
    }
    throw new ConfigError('KBS_E_CONFIG_KEY_MISSING', `device key ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`, {
      hint: code === 'ENOENT' ? 'restore the key file the secrets were encrypted with, or re-enter them with `kabosu config set-secret`' : `check the permissions of ${path}`,
      context: { path },
    });
  }
  if (key.length !== KEY_BYTES) {
    throw new ConfigError('KBS_E_CONFIG_KEY_INVALID', `device key ${path} is ${key.length} bytes, expected ${KEY_BYTES}`, {
      hint: 'restore the original key file; a damaged key cannot decrypt the stored secrets',
      context: { path },
    });
  }
  return { key, path };
}

export function encryptSecret(plain: string, key: DeviceKey): string {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key.key, iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ENC_PREFIX + Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
}

/** Decrypts one value; `where` names the field and file for the error message. */
export function decryptSecret(value: string, key: DeviceKey, where: string): string {
  const fail = (why: string) =>
    new ConfigError('KBS_E_CONFIG_SECRET_DECRYPT', `cannot decrypt the secret at ${where}: ${why}`, {
      hint: `the key ${key.path} is not the one this value was encrypted with, or the value is damaged; set it again with \`kabosu config set-secret\``,
      context: { where, keyPath: key.path },
    });
  if (!isEncrypted(value)) throw fail('not an encrypted value');
  const body = value.slice(ENC_PREFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw fail('not base64');
  const raw = Buffer.from(body, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw fail('too short');
  try {
    const d = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, IV_BYTES));
    d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
  } catch {
    throw fail('authentication failed');
  }
}

/**
 * Returns a copy of `config` with every `enc:v1:` secret decrypted (plaintext ones are kept as
 * they are; validation warned about them). The key is loaded only when a value needs it.
 */
export function decryptConfigSecrets<T>(config: T, getKey: () => DeviceKey, source: string): T {
  const out = structuredClone(config);
  let key: DeviceKey | undefined;
  for (const path of secretValuePaths(out)) {
    const v = getAt(out, path);
    if (typeof v === 'string' && isEncrypted(v)) {
      key ??= getKey();
      setAt(out, path, decryptSecret(v, key, `${source} ${pathToPointer(path)}`));
    }
  }
  return out;
}

export const REDACTED = '***';

/** A copy of `config` with every x-secret value replaced by "***". */
export function redactConfig<T>(config: T): T {
  const out = structuredClone(config);
  for (const path of secretValuePaths(out)) setAt(out, path, REDACTED);
  return out;
}

/**
 * pino `redact.paths` for every x-secret field, at the top level of a log object and under the
 * keys a config is usually logged as (`config`, `previous`).
 */
export function secretRedactPaths(prefixes: string[] = ['', 'config.', 'previous.']): string[] {
  const base = secretFieldPaths().map((p) => p.map((s) => (s === '*' ? '[*]' : s)).join('.').replace(/\.\[\*\]/g, '[*]'));
  return prefixes.flatMap((pre) => base.map((b) => pre + b));
}

/**
 * Prepares a config document received from an API for writing to disk: a secret sent back as
 * "***" (what GET returned) keeps the value stored now (`current`, the file's raw document); a
 * secret sent in plain text is encrypted with the device key; an absent secret stays absent.
 */
export function sealIncomingSecrets<T>(next: T, current: unknown, key: () => DeviceKey): T {
  const out = structuredClone(next);
  for (const path of secretValuePaths(out)) {
    const v = getAt(out, path);
    if (v === REDACTED) {
      const kept = storedAt(current, out, path);
      if (typeof kept !== 'string' && schemaAt(path)?.default !== undefined) {
        // GET showed the schema's default (e.g. a pool password 'x') redacted: leave it to the default again
        delete (getAt(out, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]];
        continue;
      }
      if (typeof kept !== 'string') {
        throw new ConfigError('KBS_E_CONFIG_SECRET_UNKNOWN', `the secret at ${pathToPointer(path)} was sent as "${REDACTED}" but no value is stored there`, {
          hint: 'send the new value in plain text (it is encrypted before it is written)',
          context: { pointer: pathToPointer(path) },
        });
      }
      setAt(out, path, kept);
    } else if (typeof v === 'string' && !isEncrypted(v)) {
      setAt(out, path, encryptSecret(v, key()));
    }
  }
  return out;
}

/** The stored value for a secret path; pool entries are matched by name, not position. */
function storedAt(current: unknown, next: unknown, path: Array<string | number>): unknown {
  if (current === undefined) return undefined;
  if (path[0] === 'pools' && typeof path[1] === 'number') {
    const name = getAt(next, ['pools', path[1], 'name']);
    const pools = getAt(current, ['pools']);
    if (!Array.isArray(pools)) return undefined;
    const i = pools.findIndex((p) => (p as { name?: unknown })?.name === name);
    return i < 0 ? undefined : getAt(current, ['pools', i, ...path.slice(2)]);
  }
  return getAt(current, path);
}
