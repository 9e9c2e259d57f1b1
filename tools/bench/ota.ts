import { createReadStream, mkdtempSync, rmSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle, installBundle, otaPaths, publicKeyB64 } from '../../src/ota';

/**
 * Streaming install cost (issue #19 target: peak extra memory < 16 MB whatever the bundle
 * size): builds a signed app bundle of 32 MB and of 256 MB (smoke: 8 and 32 MB), installs each
 * into a fresh data dir in this process, and samples RSS every 2 ms. Extra = peak RSS during
 * the install minus RSS just before it; the baseline is the same install of a 1 MB bundle, so
 * the ratio says whether memory grows with the bundle (it must not).
 */
function writeBlob(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131) & 0xff;
  for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  closeSync(fd);
}

async function one(dir: string, mb: number): Promise<{ mb: number; extraMB: number; ms: number; mbPerS: number }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const exe = join(dir, `kabosu-${mb}`);
  writeBlob(exe, mb * 1024 * 1024);
  const out = join(dir, `b-${mb}.kbota`);
  await buildBundle({ out, version: '9.0.0', buildId: `bench-${mb}`, arch: process.arch, boards: ['l3plus'], minFromVersion: '0.0.0', app: [exe], key: privateKey });
  rmSync(exe);
  const data = join(dir, `data-${mb}`);
  global.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
  const t0 = performance.now();
  await installBundle({
    paths: otaPaths(data), source: createReadStream(out, { highWaterMark: 64 * 1024 }), sourceBytes: statSync(out).size, running: 'factory', factoryVersion: '0.1.0', tries: 1, nowMs: Date.now,
    device: { arch: process.arch, board: 'l3plus', maxBundleBytes: 2 ** 32, rootfsSlots: false }, trustedKeys: [publicKeyB64(publicKey)],
    onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)),
  });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  rmSync(out);
  rmSync(data, { recursive: true, force: true });
  return { mb, extraMB: +((peak - base) / 2 ** 20).toFixed(2), ms: Math.round(ms), mbPerS: +((mb * 1000) / ms).toFixed(1) };
}

export async function benchOta(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-bench-ota-'));
  try {
    const baseline = await one(dir, 1);
    const rows = [];
    for (const mb of o.smoke ? [8, 32] : [32, 256]) rows.push(await one(dir, mb));
    const worst = Math.max(...rows.map((r) => r.extraMB));
    const result = { baseline, rows, worstExtraMB: worst, budgetMB: 16, withinBudget: worst < 16, ratioToBaseline: +(worst / Math.max(0.01, baseline.extraMB)).toFixed(2) };
    const table =
      `OTA install (sign check + sha256 + write to the inactive slot), peak extra RSS:\n` +
      [baseline, ...rows].map((r) => `  ${String(r.mb).padStart(4)} MB bundle: +${r.extraMB} MB RSS, ${r.ms} ms (${r.mbPerS} MB/s)`).join('\n') +
      `\n  worst ${worst} MB (budget 16 MB): ${worst < 16 ? 'ok' : 'OVER'}\n`;
    return { table, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
