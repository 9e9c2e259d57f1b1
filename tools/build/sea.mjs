#!/usr/bin/env node
// `npm run build:bin`: a single executable (Node SEA) at dist/kabosu, with the native addons
// beside it in dist/addons/ (found at run time relative to the executable). Recipe and
// caveats: ../shared/reference/platform.md §1 (strip before injecting; useCodeCache only when
// the blob is made for the host's own architecture).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './bundle.mjs';

const root = new URL('../..', import.meta.url).pathname;
const outDir = process.env.KABOSU_DIST ?? join(root, 'dist');
const nodeBinary = process.env.KABOSU_NODE_BINARY ?? process.execPath;
const crossArch = Boolean(process.env.KABOSU_NODE_BINARY);

const b = await bundle();
const blob = join(outDir, 'sea-prep.blob');
const seaConfig = join(outDir, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify({ main: b.outfile, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: !crossArch }),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

const exe = join(outDir, 'kabosu');
rmSync(exe, { force: true });
copyFileSync(nodeBinary, exe);
chmodSync(exe, 0o755);
try {
  execFileSync(process.env.KABOSU_STRIP ?? 'strip', [exe], { stdio: 'ignore' });
} catch {
  console.warn('build:bin: strip not available, the executable keeps its debug info');
}
execFileSync(
  process.execPath,
  [join(root, 'node_modules/postject/dist/cli.js'), exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
rmSync(blob, { force: true });
rmSync(seaConfig, { force: true });
console.log(`build:bin: ${exe} (${(statSync(exe).size / 1e6).toFixed(1)} MB), addons beside it in ${join(outDir, 'addons')}: ${b.addons.join(', ')}`);
