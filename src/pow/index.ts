/**
 * Proof of work: the algorithms behind the `PowAlgorithm` contract, and exact difficulty/target
 * math. Public surface of src/pow; other areas import from here only.
 */
import { KabosuError } from '../core/errors';
import { nodeScryptBackend, scryptAlgorithm, scryptSimAlgorithm, sha256dAlgorithm, POW_NAMES } from './algorithms';
import type { ScryptBackend } from './algorithms';
import type { PowAlgorithm, PowName } from './types';
import { scryptNodeAsync } from './scryptNode';

export type { PowAlgorithm, PowName, VerifyResult } from './types';
export type { ScryptBackend } from './algorithms';
export {
  SCRYPT_DIFF1_TARGET,
  SHA256_DIFF1_TARGET,
  MAX_TARGET,
  difficultyToTarget,
  targetToDifficulty,
  hashToBigInt,
  bigIntToHashLE,
  hashMeetsTarget,
  hashDifficulty,
  displayHex,
  bitsToTarget,
} from './targets';
export { scryptSimHash, scryptSimNonce } from './scryptSim';
export { sha256, sha256d } from './sha256d';
export { PowInputError, headerFromHex } from './input';
export { POW_NAMES };

const instances = new Map<PowName, PowAlgorithm>();
let backend: ScryptBackend = defaultBackend();

/**
 * The native SIMD addon when it loads (KABOSU_POW_BACKEND=node forces node:crypto); otherwise
 * node:crypto, with one warning on stderr saying why and how to fix it.
 */
function defaultBackend(): ScryptBackend {
  if (process.env.KABOSU_POW_BACKEND === 'node') return nodeScryptBackend;
  try {
    const { nativeScryptBackend } = require('./native') as typeof import('./native');
    return nativeScryptBackend();
  } catch (err) {
    process.emitWarning(`kabosu: native scrypt unavailable, using node:crypto (about 6x slower): ${(err as Error).message}`, { code: 'KBS_W_001' });
    return nodeScryptBackend;
  }
}

/** The shared instance of an algorithm. */
export function getAlgorithm(name: PowName): PowAlgorithm {
  let a = instances.get(name);
  if (!a) {
    if (name === 'scrypt') a = scryptAlgorithm(backend);
    else if (name === 'scrypt-sim') a = scryptSimAlgorithm(backend);
    else if (name === 'sha256d') a = sha256dAlgorithm;
    else throw new KabosuError('KBS_E_POW_UNKNOWN', `unknown proof-of-work algorithm '${String(name)}'`, { hint: `one of: ${POW_NAMES.join(', ')}` });
    instances.set(name, a);
  }
  return a;
}

/** Replaces the scrypt backend (the native addon registers itself here). */
export function setScryptBackend(b: ScryptBackend): void {
  backend = b;
  instances.clear();
}

export function scryptBackendName(): string {
  return backend.name;
}

/** One real scrypt of the header with its nonce field zeroed: the scrypt-sim base. */
export async function scryptSimBase(header80: Uint8Array): Promise<Buffer> {
  const z = Buffer.from(header80);
  if (z.length !== 80) throw new RangeError(`header must be 80 bytes, got ${z.length}`);
  z.fill(0, 76, 80);
  return (await backend.scryptMany([z]))[0] ?? scryptNodeAsync(z);
}
