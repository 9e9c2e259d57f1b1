import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';

const root = join(__dirname, '../..');
const dist = mkdtempSync(join(tmpdir(), 'kabosu-dist-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'kabosu-cwd-'));

test.after(() => {
  rmSync(dist, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

test('npm run build:bin makes a single executable that runs `kabosu version` from any directory', () => {
  execFileSync(process.execPath, [join(root, 'tools/build/sea.mjs')], { env: { ...process.env, KABOSU_DIST: dist }, stdio: 'pipe' });
  const exe = join(dist, 'kabosu');
  assert.ok(existsSync(exe), 'executable written');
  const out = execFileSync(exe, ['version', '--json'], { cwd: elsewhere, encoding: 'utf8' });
  const info = JSON.parse(out);
  assert.is(info.version, require('../../package.json').version);
  assert.is(info.platform, `linux-${process.arch}`);
  // The bundle alone runs too (dist/kabosu.cjs is what the SEA embeds).
  const viaBundle = execFileSync(process.execPath, [join(dist, 'kabosu.cjs'), 'version'], { cwd: elsewhere, encoding: 'utf8' });
  assert.match(viaBundle, /^kabosu \d+\.\d+\.\d+ /);
});

test('the single executable rejects an unknown command with exit code 2 and no stack', () => {
  const exe = join(dist, 'kabosu');
  try {
    execFileSync(exe, ['frobnicate'], { cwd: elsewhere, encoding: 'utf8', stdio: 'pipe' });
    assert.unreachable('should exit non-zero');
  } catch (err) {
    const e = err as { status: number; stderr: string };
    assert.is(e.status, 2);
    assert.match(e.stderr, /unknown command 'frobnicate'/);
    assert.not.match(e.stderr, /\s+at\s+\S+\s+\(/);
  }
});

test('the bundle runs the whole daemon (every module it loads at start resolves) and answers status', async () => {
  const cfg = join(elsewhere, 'config.json');
  const data = join(elsewhere, 'data');
  writeFileSync(cfg, JSON.stringify({ version: 1, mining: { enabled: false }, hashboards: { backend: 'sim', model: 'l3plus' }, api: { http: { enabled: false }, cgminer: { enabled: false } } }));
  const d = spawn(process.execPath, [join(dist, 'kabosu.cjs'), 'run', '--config', cfg, '--data-dir', data], { cwd: elsewhere });
  let out = '';
  d.stdout!.on('data', (b) => (out += b));
  d.stderr!.on('data', (b) => (out += b));
  try {
    const t0 = Date.now();
    while (!/"msg":"running/.test(out) && Date.now() - t0 < 30_000 && d.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    assert.match(out, /"msg":"running/, out.slice(-2000));
    const r = spawnSync(process.execPath, [join(dist, 'kabosu.cjs'), 'status', '--json', '--config', cfg, '--data-dir', data], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).hashboards.backend, 'sim');
  } finally {
    d.kill('SIGTERM');
  }
});

test('the bundle serves the web UI embedded in it (no source tree, no esbuild at run time)', async () => {
  const port = await new Promise<number>((res) => {
    const srv = require('node:net').createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => res(p));
    });
  });
  const cfg = join(elsewhere, 'config-ui.json');
  writeFileSync(cfg, JSON.stringify({ version: 1, mining: { enabled: false }, hashboards: { backend: 'sim', model: 'l3plus' }, api: { http: { enabled: true, host: '127.0.0.1', port }, cgminer: { enabled: false } } }));
  // NODE_PATH empty and cwd elsewhere: the bundle cannot reach src/ui or esbuild
  const d = spawn(process.execPath, [join(dist, 'kabosu.cjs'), 'run', '--config', cfg, '--data-dir', join(elsewhere, 'data-ui')], { cwd: elsewhere, env: { ...process.env, NODE_PATH: '' } });
  let out = '';
  d.stdout!.on('data', (b) => (out += b));
  d.stderr!.on('data', (b) => (out += b));
  try {
    const t0 = Date.now();
    while (!/HTTP API listening/.test(out) && Date.now() - t0 < 30_000 && d.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    const html = await fetch(`http://127.0.0.1:${port}/`);
    assert.is(html.status, 200);
    assert.match(await html.text(), /<script type="module" src="\/assets\/app.js"/);
    const js = await fetch(`http://127.0.0.1:${port}/assets/app.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.is(js.status, 200);
    assert.is(js.headers.get('content-encoding'), 'gzip');
    assert.ok((await js.text()).length > 10_000);
  } finally {
    d.kill('SIGTERM');
  }
});

/** A helper process from the bundle whose first stdout line is its address report. */
function bundled(args: string[], procs: ChildProcess[]): Promise<string> {
  const p = spawn(process.execPath, [join(dist, 'kabosu.cjs'), ...args], { cwd: elsewhere, env: { ...process.env, KABOSU_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  return new Promise((resolve, reject) => {
    createInterface({ input: p.stdout! }).once('line', resolve);
    p.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)));
  });
}

// The interlock worker thread has no file on disk in a bundle or a SEA: it runs from the code
// string the bundle carries (tools/build/bundle.mjs). Both shipped forms start it and stop.
for (const form of ['bundle', 'single executable'] as const) {
  test(`the ${form} starts the interlock worker thread (sim-remote daemon) and exits cleanly on SIGTERM`, async () => {
    const procs: ChildProcess[] = [];
    const tag = form === 'bundle' ? 'b' : 's';
    try {
      const sim = JSON.parse(await bundled(['sim', 'run', '--board', 'l3plus', '--seed', '4', '--pty', '--json', '--control', `unix:${join(elsewhere, `ctl-${tag}.sock`)}`, '--hal', `unix:${join(elsewhere, `hal-${tag}.sock`)}`], procs)) as { hal: string; ptys: string[] };
      const poolUrl = (await bundled(['pool', '--port', '0', '--difficulty', '4096'], procs)).trim();
      const cfg = join(elsewhere, `config-${tag}.json`);
      const data = join(elsewhere, `data-${tag}`);
      writeFileSync(cfg, JSON.stringify({ version: 1, mining: { enabled: true }, pools: [{ name: 'p', url: poolUrl, user: 'w' }], api: { http: { enabled: false }, cgminer: { enabled: false } }, hashboards: { backend: 'sim-remote', model: 'l3plus', simRemote: { hal: sim.hal, ptys: sim.ptys, interlockWorker: true } } }));
      const cmd = form === 'bundle' ? [process.execPath, join(dist, 'kabosu.cjs')] : [join(dist, 'kabosu')];
      const d = spawn(cmd[0], [...cmd.slice(1), 'run', '--config', cfg, '--data-dir', data], { cwd: elsewhere });
      procs.push(d);
      let out = '';
      d.stdout!.on('data', (b) => (out += b));
      d.stderr!.on('data', (b) => (out += b));
      const t0 = Date.now();
      // Thermal (and its worker) starts before mining: wait for the worker and for the daemon.
      while (!(/"msg":"interlock worker (running|failed)/.test(out) && /"msg":"running/.test(out)) && Date.now() - t0 < 40_000 && d.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      assert.match(out, /"msg":"interlock worker running"/, out.slice(-2000));
      const r = spawnSync(cmd[0], [...cmd.slice(1), 'status', '--json', '--config', cfg, '--data-dir', data], { cwd: elsewhere, encoding: 'utf8' });
      assert.is(r.status, 0, r.stderr);
      assert.is(JSON.parse(r.stdout).thermal.interlock.worker, 'running');
      const exited = new Promise<number | null>((res) => d.once('exit', (code) => res(code)));
      d.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res('hung'), 15_000))]);
      assert.is(code, 0, `daemon exit after SIGTERM: ${code}\n${out.slice(-2000)}`);
    } finally {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
  });
}

test.run();
