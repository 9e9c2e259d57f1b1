#!/usr/bin/env node
// `npm run build:bin [-- --arch x64|arm64|armv7l]`: a single executable (Node SEA) with the
// kabosu addon embedded in it (src/native/load.ts extracts it at start).
//   no --arch: dist/kabosu for this machine, its addons also copied to dist/addons/;
//   --arch A:  dist/linux-A/kabosu, the addon cross-built (tools/build/cross.sh), the Node binary
//              from the npm registry (tools/build/targets.json), nothing beside it.
// Recipe and caveats: ../shared/reference/platform.md §1 (strip before injecting; useCodeCache
// only when the blob is made for the host's own architecture; the blob must be made by the same
// Node version as the binary it goes into: when the registry has no Node of the host's version
// for A (armv7l stops at 20.11.0), the target Node itself makes the blob, under qemu-user).
//   node tools/build/sea.mjs node-path ARCH   prints the path of the registry Node for ARCH
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundle, THIRD_PARTY_ADDONS } from './bundle.mjs';

const root = new URL('../..', import.meta.url).pathname;
const targets = JSON.parse(readFileSync(join(root, 'tools/build/targets.json'), 'utf8'));
const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kabosu', 'node');

/** The registry's Node for a target, unpacked once into ~/.cache/kabosu/node/. */
export function registryNode(target) {
  const dir = join(cacheDir, `${target.nodePackage}-${target.nodeVersion}`);
  const node = join(dir, 'bin', 'node');
  if (existsSync(node)) return node;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'kabosu-node-'));
  try {
    const tgz = execFileSync('npm', ['pack', '--silent', `${target.nodePackage}@${target.nodeVersion}`], { cwd: tmp, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', tgz], { cwd: tmp });
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return node;
}

/** Runs a target's Node (natively on its own architecture, else under qemu-user). */
export function targetNodeCommand(target, node) {
  if (target.nodeArch === process.arch) return [node];
  return [target.qemu, '-L', `/usr/${target.triple}`, node];
}

/**
 * i2c-bus and epoll (onoff) for another architecture: each package copied to a build directory
 * (the shared node_modules is never touched) and rebuilt by npm's node-gyp with the Debian cross
 * compiler against the target Node's own headers (the registry package ships include/node).
 * Returns asset name -> .node file.
 */
export function crossThirdParty(target, node) {
  const nodedir = join(node, '../..');
  const gyp = join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  const out = {};
  for (const { asset, file } of Object.values(THIRD_PARTY_ADDONS)) {
    const pkg = file.slice(0, file.indexOf('/build/'));
    const dir = join(root, `native/build-${target.crossArch}/thirdparty`, pkg.split('/').pop());
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(root, pkg), dir, { recursive: true, filter: (f) => !f.includes('/build/') && !f.endsWith('/build') });
    const cc = (tool) => `${target.triple}-${tool}`;
    execFileSync(process.execPath, [existsSync(gyp) ? gyp : 'node-gyp', 'rebuild', `--arch=${target.nodeArch}`, `--nodedir=${nodedir}`], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_PATH: join(root, 'node_modules'), CC: cc('gcc'), CXX: cc('g++'), LINK: cc('g++'), AR: cc('ar') },
    });
    out[asset] = join(dir, 'build/Release', asset);
  }
  return out;
}

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

async function build(archArg) {
  const host = archArg === undefined;
  const name = host ? Object.keys(targets).find((k) => targets[k].nodeArch === process.arch) : archArg;
  const target = targets[name];
  if (!target) throw new Error(`build:bin: unknown --arch ${archArg}; one of ${Object.keys(targets).filter((k) => k !== '_').join(', ')}`);
  const native = target.nodeArch === process.arch;
  const distRoot = process.env.KABOSU_DIST ?? join(root, 'dist');
  const outDir = host ? distRoot : join(distRoot, `linux-${name}`);
  mkdirSync(outDir, { recursive: true });
  const strip = native ? (process.env.KABOSU_STRIP ?? 'strip') : `${target.triple}-strip`;

  // The addon for this architecture, stripped, to embed.
  let addon = join(root, 'native/build/Release/kabosu.node');
  if (!native) {
    run(join(root, 'tools/build/cross.sh'), [target.crossArch], { stdio: ['ignore', 'ignore', 'inherit'] });
    addon = join(root, `native/build-${target.crossArch}/Release/kabosu.node`);
  }
  if (!existsSync(addon)) throw new Error(`build:bin: no addon at ${addon}: run 'npm run build:native'`);
  // The Node to inject into, and the Node that makes the blob (the same version).
  const nodeBinary = host ? process.execPath : native && target.nodeVersion === process.versions.node ? process.execPath : registryNode(target);
  // i2c-bus and epoll (onoff): as npm built them on this machine, else cross-built.
  const thirdParty = native
    ? Object.fromEntries(Object.values(THIRD_PARTY_ADDONS).filter((a) => existsSync(join(root, a.file))).map((a) => [a.asset, join(root, a.file)]))
    : crossThirdParty(target, nodeBinary);
  // Every embedded addon stripped (a copy: the build trees keep their symbols).
  const embed = {};
  for (const [name, file] of Object.entries({ 'kabosu.node': addon, ...thirdParty })) {
    embed[name] = join(outDir, `${name}.embed`);
    copyFileSync(file, embed[name]);
    try {
      execFileSync(strip, ['--strip-unneeded', embed[name]], { stdio: 'ignore' });
    } catch {
      console.warn(`build:bin: ${strip} not available, the embedded ${name} keeps its symbols`);
    }
  }
  const b = await bundle({ outDir, embed, copyAddons: host });
  for (const f of Object.values(embed)) rmSync(f, { force: true });

  const sameVersion = host || target.nodeVersion === process.versions.node;
  const blobMaker = sameVersion ? [process.execPath] : targetNodeCommand(target, nodeBinary);
  const blob = join(outDir, 'sea-prep.blob');
  const seaConfig = join(outDir, 'sea-config.json');
  writeFileSync(
    seaConfig,
    JSON.stringify({ main: b.outfile, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: native }),
  );
  run(blobMaker[0], [...blobMaker.slice(1), '--experimental-sea-config', seaConfig]);

  const exe = join(outDir, 'kabosu');
  rmSync(exe, { force: true });
  copyFileSync(nodeBinary, exe);
  chmodSync(exe, 0o755);
  try {
    execFileSync(strip, [exe], { stdio: 'ignore' });
  } catch {
    console.warn(`build:bin: ${strip} not available, the executable keeps its debug info`);
  }
  // postject warns once per section of a stripped binary ("Can't find string offset for section
  // name '.note...'"): harmless (platform.md §1.1); anything else it says is shown.
  const inject = spawnSync(process.execPath, [join(root, 'node_modules/postject/dist/cli.js'), exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {
    encoding: 'utf8',
  });
  const said = inject.stderr.split('\n').filter((l) => l.trim() && !/Can't find string offset for section name/.test(l));
  if (said.length) console.error(said.join('\n'));
  if (inject.status !== 0) throw new Error(`build:bin: postject failed (exit ${inject.status})`);
  rmSync(blob, { force: true });
  rmSync(seaConfig, { force: true });
  const blobBy = sameVersion ? `host Node ${process.version}` : `Node v${target.nodeVersion} under ${blobMaker[0]}`;
  const beside = b.addons.length ? `; also beside it in ${join(outDir, 'addons')}: ${b.addons.join(', ')}` : '';
  console.log(
    `build:bin: ${exe} (linux-${name}, Node ${host ? process.version : `v${target.nodeVersion}`}, ${statSync(exe).size} bytes, blob by ${blobBy}), embedded: ${b.embedded.join(', ')}${beside}`,
  );
}

const args = process.argv.slice(2);
if (args[0] === 'node-path') {
  const target = targets[args[1]];
  if (!target) throw new Error(`sea.mjs node-path: unknown arch ${args[1]}`);
  console.log(registryNode(target));
} else {
  const i = args.indexOf('--arch');
  await build(i >= 0 ? args[i + 1] : undefined);
}
