/**
 * The bundle parser and verifier on random and mutated input: only OtaError ever comes out,
 * and no mutation of a signed bundle — preamble, header, manifest, signature or payload byte,
 * truncation or extension — is ever accepted as valid.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { BundleReader, encodeHeader, encodePreamble, OtaError, parseManifest, publicKeyB64, signManifest, verifyHeader } from '../../src/ota';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.log(`fuzz seed ${seed} (FC_SEED to replay)`);
const params = { seed, numRuns: 400 };

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const trusted = [publicKeyB64(publicKey)];
const p1 = Buffer.from('#!/bin/sh\necho hi\n');
const p2 = Buffer.alloc(3000, 0x5a);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const manifestText = JSON.stringify({
  format: 1, version: '0.2.0', buildId: 'fuzz', arch: 'x64', boards: ['l3plus'], minFromVersion: '0.0.0', createdAt: '2026-12-07T00:00:00.000Z',
  payloads: [{ kind: 'app', file: 'kabosu', size: p1.length, sha256: sha(p1), mode: 0o755 }, { kind: 'app', file: 'kabosu.node', size: p2.length, sha256: sha(p2), mode: 0o644 }],
});
const header = encodeHeader({ manifestText, signatures: [signManifest(manifestText, privateKey)], endorsements: [] });
const bundle = Buffer.concat([encodePreamble(header.length), header, p1, p2]);

async function* chunks(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

/** Reads and verifies the whole bundle; resolves true only when everything checks out. */
async function accepts(b: Buffer, chunk = 97): Promise<boolean> {
  const r = new BundleReader(chunks(b, chunk));
  const h = await r.header();
  verifyHeader(h.header, trusted);
  for (const p of h.manifest.payloads) await r.payload(p, () => undefined);
  await r.end();
  return true;
}

test('the unmutated bundle is accepted in any chunking', async () => {
  for (const c of [1, 7, 4096, 1 << 20]) assert.ok(await accepts(bundle, c));
});

test('random bytes: only OtaError', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 64 }), async (bytes, c) => {
    const withMagic = Buffer.concat([Buffer.from('KBSOTA01'), Buffer.from(bytes)]);
    for (const b of [Buffer.from(bytes), withMagic]) {
      try {
        await accepts(b, c);
        return false;
      } catch (e) {
        if (!(e instanceof OtaError)) throw e;
      }
    }
    return true;
  }), params);
});

test('no mutation of a signed bundle is accepted: flipped bytes, truncation, extension', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }),
    fc.constantFrom('flip', 'truncate', 'extend'),
    fc.integer({ min: 1, max: 300 }),
    async (flips, kind, c) => {
      const m = Buffer.from(bundle);
      let b: Buffer = m;
      if (kind === 'flip') for (const f of flips) m[f.at % m.length] ^= f.xor;
      if (kind === 'truncate') b = m.subarray(0, flips[0].at % m.length);
      if (kind === 'extend') b = Buffer.concat([m, Buffer.alloc(1 + (flips[0].at % 50), flips[0].xor)]);
      if (b.equals(bundle)) return true;
      try {
        await accepts(b, c);
        return false;
      } catch (e) {
        if (!(e instanceof OtaError)) throw e;
        return true;
      }
    },
  ), params);
});

test('parseManifest on mutated manifests: a manifest or an OtaError, nothing else', () => {
  fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.nat(), fc.jsonValue(), (ins, at, v) => {
    const i = at % manifestText.length;
    for (const t of [manifestText.slice(0, i) + ins + manifestText.slice(i + 1), JSON.stringify(v), JSON.stringify({ ...JSON.parse(manifestText), [ins]: v })]) {
      try {
        parseManifest(t);
      } catch (e) {
        if (!(e instanceof OtaError)) throw e;
      }
    }
  }), params);
});

test.run();
