#!/usr/bin/env node
// `npm run build`: one esbuild bundle of the kabosu CLI/daemon in dist/kabosu.cjs, with the
// native addons it can load copied beside it in dist/addons/. Third-party addons that locate
// their .node file through `bindings` or `node-gyp-build` (i2c-bus, epoll for onoff) are redirected to dist/addons/ by a small plugin, because a bundle
// (or a single executable) moves their files (platform.md §1.2, conventions P13).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildUi } from './ui.mjs';

const root = new URL('../..', import.meta.url).pathname;
const outDir = process.env.KABOSU_DIST ?? join(root, 'dist');

/** package -> addon file name in dist/addons and where npm put it. */
export const THIRD_PARTY_ADDONS = {
  'i2c-bus': { asset: 'i2c.node', file: 'node_modules/i2c-bus/build/Release/i2c.node' },
  epoll: { asset: 'epoll.node', file: 'node_modules/epoll/build/Release/epoll.node' },
};

const nativeShim = {
  name: 'native-shim',
  setup(b) {
    b.onResolve({ filter: /^(bindings|node-gyp-build)$/ }, (a) => {
      const pkg = Object.keys(THIRD_PARTY_ADDONS).find((p) => a.importer.includes(`/node_modules/${p}/`));
      if (!pkg) return { errors: [{ text: `no addon mapping for ${a.path} imported by ${a.importer}` }] };
      return { path: pkg, namespace: 'native-shim' };
    });
    // src/native/load.ts's loadBundledAddon: the copy embedded in a single executable, else
    // addons/ beside the executable or the bundle.
    b.onLoad({ filter: /.*/, namespace: 'native-shim' }, (a) => ({
      contents: `
        const path = require('node:path');
        const { loadBundledAddon } = require(${JSON.stringify(join(root, 'src/native/load.ts'))});
        module.exports = function loadAddon() {
          return loadBundledAddon(${JSON.stringify(THIRD_PARTY_ADDONS[a.path].asset)},
            [path.join(path.dirname(process.execPath), 'addons'), path.join(__dirname, 'addons')]);
        };`,
      resolveDir: root,
      loader: 'js',
    }));
    // debug's optional colour support: an empty module keeps the single executable quiet.
    b.onResolve({ filter: /^supports-color$/ }, () => ({ path: 'supports-color', namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * The safety interlock's worker thread (src/thermal/interlockWorker.ts) bundled alone, as a
 * string the main bundle carries for `new Worker(code, { eval: true })`: a bundle or a single
 * executable has no worker file on disk to point a Worker at (the SEA's require loads built-ins
 * only). Only node built-ins stay external.
 */
async function interlockWorkerCode() {
  const r = await build({
    entryPoints: [join(root, 'src/thermal/interlockWorker.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  return r.outputFiles[0].text;
}

/** Replaces src/thermal/interlockWorkerCode.ts (null from source) with the bundled worker. */
function interlockWorkerPlugin(code) {
  return {
    name: 'interlock-worker-code',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]thermal[\\/]interlockWorkerCode\.ts$/ }, () => ({
        contents: `export const BUNDLED_INTERLOCK_WORKER: string | null = ${JSON.stringify(code)};`,
        loader: 'ts',
      }));
    },
  };
}

/** Replaces src/ui/embedded.ts (null from source) with the built web UI files. */
function uiPlugin(files) {
  return {
    name: 'ui-embedded',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]ui[\\/]embedded\.ts$/ }, () => ({
        contents: `export const EMBEDDED_UI: Record<string, { type: string; body: string }> | null = ${JSON.stringify(files)};`,
        loader: 'ts',
      }));
    },
  };
}

/**
 * The bundle in `outDir` (default $KABOSU_DIST or dist/). `embed` (addon name -> file) puts
 * those addons inside the bundle itself (base64, src/native/load.ts extracts them), for a single
 * executable; `copyAddons: false` leaves the host's addons out of `outDir/addons` (a bundle for
 * another architecture must not ship x86-64 files).
 */
export async function bundle({ outDir: dir = outDir, embed = {}, copyAddons = true } = {}) {
  const outDir = dir;
  mkdirSync(copyAddons ? join(outDir, 'addons') : outDir, { recursive: true });
  const embedded = Object.fromEntries(Object.entries(embed).map(([name, file]) => [name, readFileSync(file).toString('base64')]));
  const workerCode = await interlockWorkerCode();
  const ui = await buildUi();
  const result = await build({
    entryPoints: [join(root, 'src/main.ts')],
    outfile: join(outDir, 'kabosu.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    legalComments: 'none',
    // Whitespace and syntax only, names kept (readable stack traces; the linked source map has
    // the rest): V8 keeps the whole bundle source in the heap for lazy compilation, and this
    // takes it from 5.4 MB to ~3 MB (pipeline-remote bench, RSS).
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [nativeShim, interlockWorkerPlugin(workerCode), uiPlugin(ui.files)],
    define: {
      'process.env.KABOSU_BUNDLED': '"1"',
      ...(Object.keys(embedded).length ? { KABOSU_EMBEDDED_ADDONS: JSON.stringify(embedded) } : {}),
    },
    logLevel: 'warning',
    metafile: true,
  });
  const copied = [];
  for (const { asset, file } of copyAddons ? Object.values(THIRD_PARTY_ADDONS) : []) {
    const src = join(root, file);
    if (existsSync(src)) {
      copyFileSync(src, join(outDir, 'addons', asset));
      copied.push(asset);
    }
  }
  const own = join(root, 'native/build/Release/kabosu.node');
  if (copyAddons && existsSync(own)) {
    copyFileSync(own, join(outDir, 'addons', 'kabosu.node'));
    copied.push('kabosu.node');
  }
  const bytes = Object.values(result.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
  return { outfile: join(outDir, 'kabosu.cjs'), bytes, addons: copied, embedded: Object.keys(embedded), interlockWorkerBytes: workerCode.length, uiGzipBytes: ui.gzipTotal };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const r = await bundle();
  console.log(`bundle: ${r.outfile} (${(r.bytes / 1024).toFixed(0)} KiB incl. map), addons: ${r.addons.join(', ') || 'none'}`);
}
