import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scryptSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import vectors from '../../vectors/pow/headers.json';
import { loadAddon } from '../../../src/native/load';
import { nativeScryptBackend } from '../../../src/pow/native';
import { displayHex } from '../../../src/pow';

const addon = loadAddon();
const SEED = 20261122;

/** Deterministic pseudo-random headers (xorshift32), so a failure names its input. */
function randomHeaders(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n * 80);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out;
}

test('this x86-64 build offers every SIMD path the CPU runs, widest first, scalar last', () => {
  const names = addon.paths().map((p) => p.name);
  assert.is(names[names.length - 1], 'scalar');
  if (process.arch === 'x64') assert.ok(names.includes('sse2'));
});

test('every SIMD path agrees with the scalar path on 10,000 random headers (seeded)', () => {
  const n = 10_000;
  const headers = randomHeaders(n, SEED);
  const scalar = addon.scryptSync(headers, 'scalar');
  for (const p of addon.paths()) {
    if (p.name === 'scalar') continue;
    const out = addon.scryptSync(headers, p.name);
    for (let i = 0; i < n; i++) {
      if (!out.subarray(i * 32, i * 32 + 32).equals(scalar.subarray(i * 32, i * 32 + 32))) {
        assert.unreachable(`path ${p.name} differs from scalar at header ${i} (seed ${SEED})`);
      }
    }
  }
});

test('the scalar path equals node:crypto.scrypt on 200 random headers', () => {
  const headers = randomHeaders(200, SEED + 1);
  const out = addon.scryptSync(headers, 'scalar');
  for (let i = 0; i < 200; i++) {
    const h = headers.subarray(i * 80, i * 80 + 80);
    assert.ok(out.subarray(i * 32, i * 32 + 32).equals(scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 })), `header ${i}`);
  }
});

test('the native backend reproduces the published mainnet PoW hashes, alone and batched', async () => {
  const backend = nativeScryptBackend(addon);
  const headers = vectors.headers.map((v) => Buffer.from(v.header, 'hex'));
  const one = await backend.scryptMany([headers[0]]);
  assert.is(displayHex(one[0]), vectors.headers[0].scrypt);
  const many = await backend.scryptMany([...headers, ...headers, ...headers]);
  many.forEach((h, i) => assert.is(displayHex(h), vectors.headers[i % headers.length].scrypt));
});

test('small batches are hashed inline within the budget, larger ones on the pool; both give the same hashes', async () => {
  let syncCalls = 0;
  let poolCalls = 0;
  const counting = {
    ...addon,
    scryptSync: (b: Buffer, p?: string) => (syncCalls++, addon.scryptSync(b, p)),
    scryptBatch: (b: Buffer, p?: string) => (poolCalls++, addon.scryptBatch(b, p)),
  };
  const headers = vectors.headers.map((v) => Buffer.from(v.header, 'hex'));
  const inline = nativeScryptBackend(counting, undefined, 1, { inlineBudgetMs: 1000 });
  const calibration = syncCalls;
  const a = await inline.scryptMany(headers);
  assert.is(syncCalls - calibration, 1, 'one inline call for the batch');
  assert.is(poolCalls, 0);
  syncCalls = 0;
  const pooled = nativeScryptBackend(counting, undefined, 1, { inlineBudgetMs: 0 });
  const b = await pooled.scryptMany(headers);
  assert.is(syncCalls, 0, 'budget 0: never inline, not even to calibrate');
  assert.ok(poolCalls >= 1);
  a.forEach((h, i) => {
    assert.ok(h.equals(b[i]), `header ${i}`);
    assert.is(displayHex(h), vectors.headers[i].scrypt);
  });
});

test('PBKDF2 gives the same hashes with SHA-NI and with the portable SHA-256 (KABOSU_SHA256=portable)', () => {
  const impl = (addon as unknown as { sha256Impl(): string }).sha256Impl();
  assert.ok(impl === 'sha-ni' || impl === 'portable', impl);
  const headers = randomHeaders(500, SEED + 2);
  const best = addon.paths()[0].name;
  const here = addon.scryptSync(headers, best);
  const addonPath = process.env.KABOSU_ADDON ?? require.resolve('../../../native/build/Release/kabosu.node');
  const script = `const a = require(${JSON.stringify(addonPath)});
    const h = Buffer.from(process.argv[1], 'base64');
    process.stdout.write(JSON.stringify({ impl: a.sha256Impl(), out: a.scryptSync(h, process.argv[2]).toString('base64') }));`;
  const child = JSON.parse(
    execFileSync(process.execPath, ['-e', script, headers.toString('base64'), best], {
      env: { ...process.env, KABOSU_SHA256: 'portable' },
      maxBuffer: 1 << 24,
    }).toString(),
  ) as { impl: string; out: string };
  assert.is(child.impl, 'portable');
  const there = Buffer.from(child.out, 'base64');
  for (let i = 0; i < 500; i++) {
    const h = headers.subarray(i * 80, i * 80 + 80);
    const want = i % 50 === 0 ? scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 }) : here.subarray(i * 32, i * 32 + 32);
    assert.ok(there.subarray(i * 32, i * 32 + 32).equals(want), `header ${i} (seed ${SEED + 2}, ${impl} vs portable)`);
  }
});

test('bad input is refused with a clear error and no crash', async () => {
  assert.throws(() => addon.scryptSync(Buffer.alloc(79)), /multiple of 80/);
  assert.throws(() => addon.scryptSync(Buffer.alloc(0)), /multiple of 80/);
  assert.throws(() => addon.scryptSync('x' as unknown as Buffer), /Buffer/);
  assert.throws(() => addon.scryptSync(Buffer.alloc(80), 'avx9000'), /unknown or unsupported scrypt path/);
  assert.throws(() => addon.scryptBatch(Buffer.alloc(81)), /multiple of 80/);
});

test('the native backend runs at most maxConcurrent batches at once and keeps result order', async () => {
  let running = 0;
  let peak = 0;
  const fake = {
    ...addon,
    paths: () => [{ name: 'fake', lanes: 4 }],
    scryptBatch: async (buf: Buffer) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      const out = Buffer.alloc((buf.length / 80) * 32);
      for (let i = 0; i < buf.length / 80; i++) out[i * 32] = buf[i * 80];
      return out;
    },
  };
  const backend = nativeScryptBackend(fake, undefined, 1, { inlineBudgetMs: 0 });
  const lists = [0, 1, 2].map((k) => Array.from({ length: 10 }, (_, i) => Buffer.alloc(80, k * 10 + i)));
  const outs = await Promise.all(lists.map((l) => backend.scryptMany(l)));
  assert.is(peak, 1);
  outs.forEach((o, k) => o.forEach((h, i) => assert.is(h[0], k * 10 + i)));
  const two = nativeScryptBackend(fake, undefined, 2, { inlineBudgetMs: 0 });
  peak = 0;
  await Promise.all(lists.map((l) => two.scryptMany(l)));
  assert.is(peak, 2);
});

test.run();
