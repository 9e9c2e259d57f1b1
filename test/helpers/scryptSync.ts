import { scryptSync } from 'node:crypto';
import { SCRYPT_PARAMS } from '../../src/pow/scryptNode';

/** Reference scrypt of an 80-byte header (node:crypto, independent of the kabosu addon). */
export function scryptNodeSync(header: Uint8Array): Buffer {
  return scryptSync(header, header, 32, SCRYPT_PARAMS);
}
