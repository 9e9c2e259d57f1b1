/**
 * The tuning component inside the daemon (a process, real clock): with `tuning.target: power`
 * the daemon mines on the embedded test pool, `kabosu status --json` shows `tuning` (target,
 * state) and the tuner is moving the simulated chips. Tuning itself is scored elsewhere
 * (tuningTargets/tuningPipeline); this checks the wiring.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-tund-'));
const cfgPath = join(dir, 'config.json');
const dataDir = join(dir, 'data');
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

let daemon: ChildProcess | undefined;
let out = '';

test.after(async () => {
  // The daemon writes its files while it shuts down: wait for it before removing them.
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    const gone = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

test('with a power target the daemon reports tuning in its status and the tuner runs', async () => {
  const port = await freePort();
  writeFileSync(
    cfgPath,
    JSON.stringify({
      version: 1,
      device: { id: 'tuning-test', name: 'tuning test' },
      mining: { enabled: true },
      pools: [{ name: 'local', url: `stratum+tcp://127.0.0.1:${port}`, user: 'w.1', password: 'x' }],
      hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 3, pow: 'scrypt-sim', transport: 'stream' } },
      testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 4096 },
      tuning: { target: 'power', powerW: 650 },
      api: { http: { enabled: false }, cgminer: { enabled: false } },
      logging: { level: 'info' },
    }),
  );
  daemon = spawn(process.execPath, [bin, 'run', '--config', cfgPath, '--data-dir', dataDir], { cwd: dir, env });
  daemon.stdout!.setEncoding('utf8');
  daemon.stderr!.setEncoding('utf8');
  daemon.stdout!.on('data', (d: string) => (out += d));
  daemon.stderr!.on('data', (d: string) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/"msg":"tuning started"/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.match(out, /"msg":"tuning started"/, out.slice(-2000));
  let status: { tuning?: { target: string; state: string } } = {};
  for (let i = 0; i < 50; i++) {
    const r = spawnSync(process.execPath, [bin, 'status', '--json', '--data-dir', dataDir], { encoding: 'utf8', cwd: dir, env });
    if (r.status === 0) {
      status = JSON.parse(r.stdout);
      if (status.tuning?.state === 'tuning') break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(status.tuning, 'status has tuning');
  assert.is(status.tuning!.target, 'power (650 W)');
  assert.is(status.tuning!.state, 'tuning');
  // `kabosu tune report` before convergence: a clear error, not a crash.
  const rep = spawnSync(process.execPath, [bin, 'tune', 'report', '--data-dir', dataDir], { encoding: 'utf8', cwd: dir, env });
  assert.is(rep.status, 1);
  assert.match(rep.stderr, /KBS_E_TUNING_NO_REPORT/);
  assert.not.match(out, /tuning window failed/);
});

test.run();
