#!/usr/bin/env node
// `npm run check:release [-- --arch A ...] [--no-build]`: builds the single executables
// (`npm run build:bin -- --arch A`, default armv7l arm64 x64) and checks that each starts on its
// architecture, the ARM ones under qemu-user (armv7l on the L3+'s Cortex-A8, and on a
// Cortex-A9 without NEON, where the addon must fall back to scalar): `kabosu version --json`
// names the target Node and platform, and `kabosu pow scrypt` of every published vector
// (test/vectors/pow/headers.json) prints its hash through the embedded native addon; the
// cross-built i2c-bus and epoll addons load in the target Node. Prints
// each binary's size, build time and the wall time of `kabosu version` (median of 3), and closes
// with `N passed, N failed`. Slow (a cross build and a 76-89 MB binary per arch): not in
// `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { THIRD_PARTY_ADDONS } from './bundle.mjs';

const root = new URL('../..', import.meta.url).pathname;
const targets = JSON.parse(readFileSync(join(root, 'tools/build/targets.json'), 'utf8'));
const vectors = JSON.parse(readFileSync(join(root, 'test/vectors/pow/headers.json'), 'utf8')).headers;
const args = process.argv.slice(2);
const archs = args.flatMap((a, i) => (args[i - 1] === '--arch' ? [a] : []));
const distRoot = process.env.KABOSU_DIST ?? join(root, 'dist');

/** How to run a target's binary here, per CPU model to check (null: natively). */
function runners(name, t) {
  if (t.nodeArch === process.arch) return [{ cpu: 'host', neon: undefined, cmd: [] }];
  const sysroot = ['-L', `/usr/${t.triple}`];
  if (name === 'armv7l')
    return [
      { cpu: 'cortex-a8', neon: true, cmd: [t.qemu, '-cpu', 'cortex-a8', ...sysroot] },
      { cpu: 'cortex-a9,neon=off', neon: false, cmd: [t.qemu, '-cpu', 'cortex-a9,neon=off', ...sysroot] },
    ];
  return [{ cpu: 'max', neon: true, cmd: [t.qemu, ...sysroot] }];
}

let passed = 0;
let failed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};
const rows = [];
const addonDir = mkdtempSync(join(tmpdir(), 'kabosu-release-addons-'));
try {
  for (const name of archs.length ? archs : ['armv7l', 'arm64', 'x64']) {
    const t = targets[name];
    if (!t || name === '_') throw new Error(`check:release: unknown arch ${name}`);
    const exe = join(distRoot, `linux-${name}`, 'kabosu');
    let buildS = null;
    if (!args.includes('--no-build')) {
      const t0 = process.hrtime.bigint();
      execFileSync(process.execPath, [join(root, 'tools/build/sea.mjs'), '--arch', name], { stdio: ['ignore', 'inherit', 'inherit'] });
      buildS = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    for (const r of runners(name, t)) {
      const env = { ...process.env, KABOSU_ADDON_DIR: addonDir, KABOSU_DEBUG: '1' };
      delete env.KABOSU_ADDON;
      const kabosu = (...a) => spawnSync(r.cmd[0] ?? exe, [...r.cmd.slice(1), ...(r.cmd.length ? [exe] : []), ...a], { encoding: 'utf8', env, cwd: tmpdir() });
      const times = [];
      let info;
      for (let i = 0; i < 3; i++) {
        const t0 = process.hrtime.bigint();
        const v = kabosu('version', '--json');
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        try {
          info = JSON.parse(v.stdout);
        } catch {
          info = { error: v.stderr.slice(-500) };
        }
      }
      const tag = `linux-${name} (${r.cpu})`;
      check(info.node === `v${t.nodeVersion}` && info.platform === `linux-${t.nodeArch}`, `${tag}: kabosu version --json -> ${JSON.stringify(info)}`);
      let good = 0;
      let backend = '';
      for (const v of vectors) {
        const p = kabosu('pow', 'scrypt', v.header);
        backend = (p.stderr.match(/backend: (\S+)/) ?? [])[1] ?? p.stderr.trim().slice(-300);
        if (p.status === 0 && p.stdout.trim() === v.scrypt) good++;
      }
      const wantBackend = r.neon === undefined ? /^native:/ : r.neon ? /^native:neon/ : /^native:scalar$/;
      check(good === vectors.length && wantBackend.test(backend), `${tag}: kabosu pow scrypt, ${good}/${vectors.length} published vectors, backend ${backend}`);
      if (t.crossArch && r.neon !== false) {
        // i2c-bus and epoll as cross-built for the binary (sea.mjs): they load in the target Node.
        const node = execFileSync(process.execPath, [join(root, 'tools/build/sea.mjs'), 'node-path', name], { encoding: 'utf8' }).trim();
        const files = Object.values(THIRD_PARTY_ADDONS).map((a) => join(root, `native/build-${t.crossArch}/thirdparty`, a.file.split('/')[1], 'build/Release', a.asset));
        const code = 'for (const f of process.argv.slice(1)) { const m = { exports: {} }; process.dlopen(m, f); console.log(Object.keys(m.exports).length); }';
        const d = spawnSync(r.cmd[0], [...r.cmd.slice(1), node, '-e', code, ...files], { encoding: 'utf8' });
        check(d.status === 0 && d.stdout.trim().split('\n').every((n) => Number(n) > 0), `${tag}: cross-built ${Object.values(THIRD_PARTY_ADDONS).map((a) => a.asset).join(', ')} load in Node v${t.nodeVersion}${d.status ? `: ${d.stderr.slice(-300)}` : ''}`);
      }
      times.sort((a, b) => a - b);
      rows.push({ target: tag, node: info.node, bytes: statSync(exe).size, buildS, versionMs: times.map((x) => Math.round(x)), medianMs: Math.round(times[1]) });
    }
  }
} finally {
  rmSync(addonDir, { recursive: true, force: true });
}
console.log('\n| binary | Node | bytes | build s | `kabosu version` wall ms (3 runs) | median ms |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.target} | ${r.node} | ${r.bytes} | ${r.buildS === null ? '-' : r.buildS.toFixed(1)} | ${r.versionMs.join(', ')} | ${r.medianMs} |`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
