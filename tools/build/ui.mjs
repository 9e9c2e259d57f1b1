#!/usr/bin/env node
// The web UI (src/ui/app, Preact + uPlot, TSX) built by esbuild into a few files served by the
// daemon at / (src/api/http/web/webUi.ts): index.html, /assets/app.js, /assets/app.css, the PWA
// manifest, its icon and the service worker. bundle.mjs embeds them in the bundle (and so in the
// single executable); from source the daemon calls buildUi() on its first page request.
//   node tools/build/ui.mjs     prints each file's size, raw and gzipped
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../..', import.meta.url).pathname;
const app = join(root, 'src/ui/app');

export async function buildUi({ minify = true } = {}) {
  const r = await build({
    entryPoints: { app: join(app, 'main.tsx') },
    outdir: '/ui-out',
    bundle: true,
    write: false,
    // ESM with splitting: uPlot goes to its own chunk, loaded when the first chart mounts, so the
    // first figures paint before it is parsed (first meaningful paint under CPU throttling).
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: join(app, 'tsconfig.json'),
  });
  const out = Object.fromEntries(r.outputFiles.map((f) => [f.path.split('/').pop(), f.text]));
  const chunks = Object.keys(out).filter((n) => n.startsWith('chunk-') && n.endsWith('.js'));
  const shell = ['/', '/assets/app.js', '/assets/app.css', ...chunks.map((n) => `/assets/${n}`), '/manifest.webmanifest', '/icon.svg'];
  const files = {
    '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(app, 'index.html'), 'utf8') },
    '/assets/app.js': { type: 'text/javascript; charset=utf-8', body: out['app.js'] },
    '/assets/app.css': { type: 'text/css; charset=utf-8', body: out['app.css'] ?? '' },
    '/manifest.webmanifest': { type: 'application/manifest+json', body: readFileSync(join(app, 'manifest.webmanifest'), 'utf8') },
    '/icon.svg': { type: 'image/svg+xml', body: readFileSync(join(app, 'icon.svg'), 'utf8') },
    '/sw.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(app, 'sw.js'), 'utf8').replace("'SHELL'", JSON.stringify(shell)) },
    ...Object.fromEntries(chunks.map((n) => [`/assets/${n}`, { type: 'text/javascript; charset=utf-8', body: out[n] }])),
  };
  const sizes = Object.fromEntries(Object.entries(files).map(([p, f]) => [p, { raw: Buffer.byteLength(f.body), gzip: gzipSync(f.body, { level: 9 }).length }]));
  const gzipTotal = Object.values(sizes).reduce((a, s) => a + s.gzip, 0);
  return { files, sizes, gzipTotal };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const r = await buildUi();
  for (const [p, s] of Object.entries(r.sizes)) console.log(`${p.padEnd(24)} ${String(s.raw).padStart(8)} B  ${String(s.gzip).padStart(7)} B gzip`);
  console.log(`total gzip: ${r.gzipTotal} B (${(r.gzipTotal / 1024).toFixed(1)} KiB)`);
}
