import { createHash } from 'node:crypto';

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** sha256(sha256(x)): Bitcoin's block hash, merkle and coinbase hash. */
export function sha256d(data: Uint8Array): Buffer {
  return sha256(sha256(data));
}
