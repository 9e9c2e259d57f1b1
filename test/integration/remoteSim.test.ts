import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * `kabosu run --config FILE` against a simulator in another process (issue 5): three processes —
 * `kabosu sim run --pty --hal unix:...` (chains on real PTYs, I2C/GPIO/fans over the remote hal),
 * `kabosu pool`, and the firmware — mining over real sockets and PTYs. Then the simulator dies:
 * the firmware stays up and says so.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-remote-'));
const cfgPath = join(dir, 'config.json');
const dataDir = join(dir, 'data');
const halSock = join(dir, 'hal.sock');
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
const procs: ChildProcess[] = [];
const outs = new Map<ChildProcess, string>();

function start(args: string[]): ChildProcess {
  const p = spawn(process.execPath, [bin, ...args], { env });
  outs.set(p, '');
  p.stdout!.setEncoding('utf8').on('data', (d: string) => outs.set(p, outs.get(p) + d));
  p.stderr!.setEncoding('utf8').on('data', (d: string) => outs.set(p, outs.get(p) + d));
  procs.push(p);
  return p;
}

function waitOut(p: ChildProcess, re: RegExp, ms = 40_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = () => {
      const m = (outs.get(p) ?? '').match(re);
      if (m) return resolve(m);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${re}:\n${(outs.get(p) ?? '').slice(-3000)}`));
      setTimeout(check, 100);
    };
    check();
  });
}

let sim: ChildProcess;
let fw: ChildProcess;

test.before(async () => {
  sim = start(['sim', 'run', '--board', 'l3plus', '--seed', '4', '--pty', '--hal', `unix:${halSock}`, '--control', `unix:${join(dir, 'ctl.sock')}`]);
  await waitOut(sim, /hal unix:/);
  const pool = start(['pool', '--port', '0', '--pow', 'scrypt-sim', '--difficulty', '4096']);
  const url = (await waitOut(pool, /stratum\+tcp:\/\/[0-9.]+:\d+/))[0];
  writeFileSync(
    cfgPath,
    JSON.stringify({
      version: 1,
      device: { id: 'remote-test' },
      mining: { enabled: true },
      pools: [{ name: 'p', url, user: 'w.1', password: 'x' }],
      hashboards: { backend: 'sim-remote', model: 'l3plus', sim: { pow: 'scrypt-sim' }, simRemote: { hal: `unix:${halSock}` } },
      api: { http: { enabled: false } },
      logging: { level: 'info' },
    }),
  );
  fw = start(['run', '--config', cfgPath, '--data-dir', dataDir]);
});

test.after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('the firmware in its own process powers the remote boards, enumerates over the PTYs and gets shares accepted', async () => {
  await waitOut(fw, /remote simulated boards attached/);
  await waitOut(fw, /"msg":"share accepted"/, 60_000);
  const r = spawnSync(process.execPath, [bin, 'status', '--json', '--config', cfgPath, '--data-dir', dataDir], { encoding: 'utf8', env });
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.is(s.hashboards.backend, 'sim-remote');
  assert.is(s.chains.length, 4);
  for (const c of s.chains) assert.is(c.chips_found, 72);
  assert.ok(s.shares.accepted > 0);
  // The simulator (another process) saw its regulators enabled over the remote hal.
  const st = spawnSync(process.execPath, [bin, 'sim', 'state', '--json', '--control', `unix:${join(dir, 'ctl.sock')}`], { encoding: 'utf8', env });
  assert.is(st.status, 0, st.stderr);
  const truth = JSON.parse(st.stdout);
  assert.ok(truth.chains.every((c: { powered: boolean }) => c.powered), 'every board powered through the PIC over the remote hal');
});

test('when the simulator process dies the firmware stays up and reports it', async () => {
  sim.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 3000));
  assert.is(fw.exitCode, null, 'firmware still running');
  const r = spawnSync(process.execPath, [bin, 'status', '--json', '--config', cfgPath, '--data-dir', dataDir], { encoding: 'utf8', env, timeout: 10_000 });
  assert.is(r.status, 0, r.stderr);
});

test.run();
