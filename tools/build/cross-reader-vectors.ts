/**
 * Writes the UART reader cases that tools/build/check-cross.cjs replays under qemu-user against
 * the cross-built addon: for each chip family, a byte stream (nonce frames with noise between
 * them) and the hash every nonce must get, computed here on the host with node:crypto scrypt
 * (and src/pow for scrypt-sim), so the ARM side needs no TypeScript.
 *   node -r tsx/cjs tools/build/cross-reader-vectors.ts <out.json>
 */
import { scryptSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { getChipFamily } from '../../src/chips';
import { ReplyStream } from '../../src/chips/responseParser';
import type { ChipFamilyId } from '../../src/chips/types';
import { headerWithNonce } from '../../src/chips/common/header';
import { SCRYPT_DIFF1_TARGET } from '../../src/pow/targets';
import { scryptSimHash, scryptSimNonce } from '../../src/pow/scryptSim';

const scrypt = (h: Buffer): Buffer => scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 });
let seed = 0x6b616273;
const rnd = (): number => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>>= 0);
};
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rnd() & 255));

const cases = (['bm1485', 'bm1489', 'bm1366'] as ChipFamilyId[]).flatMap((id) => {
  const fam = getChipFamily(id);
  return (['scrypt', 'scrypt-sim'] as const).map((pow) => {
    const header = bytes(80);
    const wire = 3;
    const base = scrypt(headerWithNonce(header, 0));
    const nonces = Array.from({ length: 4 }, (_x, k) =>
      pow === 'scrypt' ? rnd() : scryptSimNonce(base, { fixedMask: 0, fixedValue: 0, target: SCRYPT_DIFF1_TARGET / BigInt(1 + k * 331), salt: rnd() }),
    );
    // A noise byte after each frame: the reader must resync. Chosen so that JS's framer
    // (the reference) sees exactly these nonces: a CRC5 can pass across a misaligned window.
    const frames = nonces.map((n) => fam.encodeReply({ kind: 'nonce', nonce: n, jobId: wire, diff: 0 }));
    const framesCleanly = (b: Buffer): boolean => {
      const got = new ReplyStream(fam).push(b);
      return got.length === nonces.length && got.every((f, k) => f.kind === 'nonce' && f.nonce === nonces[k] >>> 0);
    };
    let parts: Buffer[] = [];
    for (let tries = 0; tries < 100; tries++) {
      parts = frames.flatMap((f) => [f, Buffer.from([rnd() & 255])]);
      if (framesCleanly(Buffer.concat(parts))) break;
    }
    if (!framesCleanly(Buffer.concat(parts))) throw new Error(`${id}: no clean noise found`);
    // The chip's four wire bytes are header bytes 76..79 (chips.md 5.1); the frame carries them
    // in the order encodeReply wrote, which is the order the hash uses.
    const hashes = nonces.map((n) => (pow === 'scrypt' ? scrypt(headerWithNonce(header, n)) : scryptSimHash(base, n)));
    return { family: id, pow, spec: { ...fam.replyFrameSpec, pow, lazyMs: 5 }, header76: header.subarray(0, 76).toString('hex'), wire, stream: Buffer.concat(parts).toString('hex'), nonces, hashes: hashes.map((h) => h.toString('hex')) };
  });
});
writeFileSync(process.argv[2], JSON.stringify({ cases }, null, 1) + '\n');
