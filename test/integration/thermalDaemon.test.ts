import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../helpers/net';

/**
 * The safety interlock in the running daemon (a process): a sensor goes absent on chain 1 →
 * the board is powered off (simulator truth) with an `interlock_trip` event; the fault clears →
 * after the cool-down the daemon re-powers the board and re-initialises its chain cleanly
 * (`board_restored`), and the board hashes again.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-thermald-'));
const cfgPath = join(dir, 'config.json');
const dataDir = join(dir, 'data');
const ctl = `unix:${join(dataDir, 'sim.sock')}`;
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
let daemon: ChildProcess;
let out = '';


function kabosu(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
}

async function until(what: string, f: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const powered = (chain: number): boolean => {
  const r = kabosu(['sim', 'state', '--json', '--control', ctl]);
  return r.status === 0 && JSON.parse(r.stdout).chains[chain].powered === true;
};

test.before(async () => {
  const port = await freePort();
  writeFileSync(
    cfgPath,
    JSON.stringify({
      version: 1,
      mining: { enabled: true },
      pools: [{ name: 'p', url: `stratum+tcp://127.0.0.1:${port}`, user: 'w.1', password: 'x' }],
      hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 6, pow: 'scrypt-sim', transport: 'stream' } },
      testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 4096 },
      api: { http: { enabled: false }, cgminer: { enabled: false } },
      logging: { level: 'info' },
    }),
  );
  daemon = spawn(process.execPath, [bin, 'run', '--config', cfgPath, '--data-dir', dataDir], { env });
  daemon.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  daemon.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await until('mining', () => /"msg":"share accepted"/.test(out), 60_000);
});

test.after(() => {
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('a trip powers the board off; after cool-down the daemon re-initialises it and it hashes again', async () => {
  assert.ok(powered(1), 'board 1 powered before the fault');
  const f = kabosu(['sim', 'fault', 'sensor-absent', '--chain', '1', '--sensor', '0', '--control', ctl]);
  assert.is(f.status, 0, f.stderr);
  const t0 = Date.now();
  await until('board 1 off', () => !powered(1), 10_000);
  assert.ok(Date.now() - t0 < 5000, `off ${Date.now() - t0} ms after the fault (2 s stale rule + polling)`);
  await until("trip logged", () => /"kind":"interlock_trip"/.test(out), 5000);
  assert.ok(powered(0), 'the other boards keep hashing');
  const c = kabosu(['sim', 'clear', '--all', '--control', ctl]);
  assert.is(c.status, 0, c.stderr);
  await until('board 1 restored', () => /board 1 re-initialised cleanly/.test(out), 90_000);
  assert.ok(powered(1), 'board 1 powered again');
  const s = JSON.parse(kabosu(['status', '--json', '--config', cfgPath, '--data-dir', dataDir]).stdout);
  assert.is(s.chains[1].chips_found, 72);
  assert.is(s.thermal.interlock.trips >= 1, true);
  assert.is(s.thermal.interlock.last_trip.path, 'main');
  // The in-process simulator's hal lives in the main thread: no worker thread can open it.
  assert.is(s.thermal.interlock.worker, 'unavailable');
  assert.match(s.thermal.interlock.worker_reason, /main thread/);
});

test.run();
