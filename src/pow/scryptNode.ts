import { scrypt as scryptCb } from 'node:crypto';

/** Litecoin's scrypt parameters: scrypt(P = header, S = header, N = 1024, r = 1, p = 1, dkLen = 32). */
export const SCRYPT_PARAMS = { N: 1024, r: 1, p: 1, maxmem: 32 * 1024 * 1024 } as const;

/** One scrypt on the libuv thread pool (node:crypto): never blocks the event loop. */
export function scryptNodeAsync(header: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(header, header, 32, SCRYPT_PARAMS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
