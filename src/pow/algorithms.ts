import type { PowAlgorithm, PowName, VerifyResult } from './types';
import { checkBatch, checkHeader } from './input';
import { scryptNodeAsync } from './scryptNode';
import { scryptSimHash } from './scryptSim';
import { sha256d } from './sha256d';
import { SCRYPT_DIFF1_TARGET, SHA256_DIFF1_TARGET, hashToBigInt } from './targets';

/** How one scrypt is computed: node:crypto now; the native SIMD addon plugs in here. */
export interface ScryptBackend {
  readonly name: string;
  /** Measured milliseconds one lone scrypt takes on this host, when the backend knows it. */
  readonly msPerHash?: number;
  scryptMany(headers: readonly Uint8Array[]): Promise<Buffer[]>;
}

export const nodeScryptBackend: ScryptBackend = {
  name: 'node:crypto',
  scryptMany: (headers) => Promise.all(headers.map((h) => scryptNodeAsync(h))),
};

function results(hashes: Buffer[], targets: readonly bigint[]): VerifyResult[] {
  return hashes.map((hash, i) => ({ hash, valid: hashToBigInt(hash) <= targets[i] }));
}

export function scryptAlgorithm(backend: ScryptBackend): PowAlgorithm {
  return {
    name: 'scrypt',
    simulated: false,
    diff1Target: SCRYPT_DIFF1_TARGET,
    hashCostMs: backend.msPerHash,
    async hash(header) {
      checkHeader(header);
      return (await backend.scryptMany([header]))[0];
    },
    async verify(headers, targets) {
      checkBatch(headers, targets);
      return results(await backend.scryptMany(headers), targets);
    },
  };
}

export function scryptSimAlgorithm(backend: ScryptBackend): PowAlgorithm {
  const hashMany = async (headers: readonly Uint8Array[]): Promise<Buffer[]> => {
    const zeroed = headers.map((h) => {
      const z = Buffer.from(h);
      z.fill(0, 76, 80);
      return z;
    });
    const bases = await backend.scryptMany(zeroed);
    return headers.map((h, i) => scryptSimHash(bases[i], Buffer.from(h.buffer, h.byteOffset, 80).readUInt32BE(76)));
  };
  return {
    name: 'scrypt-sim',
    simulated: true,
    diff1Target: SCRYPT_DIFF1_TARGET,
    // one real scrypt per verification, like scrypt (the SHA-256 on top is noise)
    hashCostMs: backend.msPerHash,
    async hash(header) {
      checkHeader(header);
      return (await hashMany([header]))[0];
    },
    async verify(headers, targets) {
      checkBatch(headers, targets);
      return results(await hashMany(headers), targets);
    },
  };
}

export const sha256dAlgorithm: PowAlgorithm = {
  name: 'sha256d',
  simulated: false,
  diff1Target: SHA256_DIFF1_TARGET,
  async hash(header) {
    checkHeader(header);
    return sha256d(header);
  },
  async verify(headers, targets) {
    checkBatch(headers, targets);
    return results(headers.map((h) => sha256d(h)), targets);
  },
};

export const POW_NAMES: readonly PowName[] = ['scrypt', 'scrypt-sim', 'sha256d'];
