import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../helpers/net';

/**
 * The config's `health` section in the running daemon (a process, simulated L3+, test pool):
 * with `actions: "report"` a silent chip is diagnosed dead and the disable is only advised (the chip's
 * PLL stays where it was, simulator truth); a hot reload to `actions: "auto"` is applied by the
 * health component without a restart and the chip is then disabled.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-healthd-'));
const cfgPath = join(dir, 'config.json');
const dataDir = join(dir, 'data');
const ctl = `unix:${join(dataDir, 'sim.sock')}`;
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
let daemon: ChildProcess;
let out = '';
let config: Record<string, unknown>;


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

/** The daemon's JSON log lines with an event of this kind (the events logger prints every DaemonEvent). */
function events(kind: string): { data?: Record<string, unknown>; msg: string }[] {
  return out.split('\n').filter((l) => l.includes(`"kind":"${kind}"`)).map((l) => JSON.parse(l));
}

function save(cfg: unknown): void {
  writeFileSync(cfgPath + '.tmp', JSON.stringify(cfg, null, 2));
  renameSync(cfgPath + '.tmp', cfgPath);
}

test.before(async () => {
  const port = await freePort();
  config = {
    version: 1,
    mining: { enabled: true },
    pools: [{ name: 'p', url: `stratum+tcp://127.0.0.1:${port}`, user: 'w.1', password: 'x' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 8, pow: 'scrypt-sim', transport: 'stream' } },
    testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 4096 },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    logging: { level: 'info' },
    // Report only; a dead chip is called within seconds (P(silence | healthy) < 1 %), no grace.
    health: { actions: 'report', deadGraceMs: 0, chip: { deadProbability: 0.01 } },
  };
  save(config);
  daemon = spawn(process.execPath, [bin, 'run', '--config', cfgPath, '--data-dir', dataDir], { env });
  daemon.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  daemon.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await until('mining', () => /"msg":"share accepted"/.test(out), 60_000);
});

test.after(() => {
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const chipFreq = (chain: number, chip: number): number => {
  const r = kabosu(['sim', 'state', '--json', '--chips', '--control', ctl]);
  assert.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { chains: { chips?: { freqMHz?: number; freq_mhz?: number }[] }[] };
  const c = s.chains[chain].chips![chip];
  return (c.freqMHz ?? c.freq_mhz)!;
};

test('report: a silent chip is diagnosed dead and its disable advised, not done; reload to auto: done without a restart', async () => {
  const before = chipFreq(0, 10);
  const f = kabosu(['sim', 'fault', 'chip-silent', '--chain', '0', '--chip', '10', '--control', ctl]);
  assert.is(f.status, 0, f.stderr);
  await until('advice', () => events('health_advice').some((e) => e.data?.action === 'disable_chip' && e.data?.chip === 10), 60_000);
  assert.ok(events('chip_dead').some((e) => e.data?.chip === 10));
  assert.match(events('health_advice')[0].msg, /not done: health.actions is "report"/);
  assert.equal(events('health_action'), [], 'nothing performed');
  assert.is(chipFreq(0, 10), before, 'the chip PLL was not touched');

  const from = out.length;
  save({ ...config, health: { ...(config.health as object), actions: 'auto' } });
  await until('reloaded', () => /"msg":"config reloaded"/.test(out.slice(from)), 15_000);
  const line = JSON.parse(out.slice(from).split('\n').find((l) => l.includes('"msg":"config reloaded"'))!);
  assert.equal(line.sections, ['health']);
  assert.ok(line.applied_by.includes('health'), JSON.stringify(line));
  await until('disabled', () => events('health_action').some((e) => e.data?.action === 'disable_chip' && e.data?.chip === 10), 30_000);
  await until('PLL at the floor', () => chipFreq(0, 10) < before, 10_000);
  assert.is(daemon.exitCode, null, 'still running: no restart');
  assert.not.ok(readFileSync(cfgPath, 'utf8').includes('"report"'));
});

test.run();
