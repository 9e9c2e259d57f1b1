import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * The firmware alone (issue 5 budget: CPU < 10 % of one core, RSS < 80 MB for one L3+ at about
 * 300 nonces/s): the simulator (`kabosu sim run --pty --hal`) and the test pool run in their own
 * processes; the firmware is the production bundle (dist/kabosu.cjs, `npm run build`) running
 * `run --config` with hashboards.backend sim-remote, measured from /proc over the window.
 * Baseline in the same run: the same firmware with mining disabled (fixed cost of the daemon).
 */
const root = join(__dirname, '../..');
const src = join(root, 'bin/kabosu.js');
const bundle = join(root, 'dist/kabosu.cjs');
const TICK = 100; // USER_HZ on Linux

function procStat(pid: number): { cpuS: number; rssMB: number; hwmMB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(f[11]) + Number(f[12])) / TICK; // utime, stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { cpuS, rssMB: kb('VmRSS'), hwmMB: kb('VmHWM') };
}

function wait(p: ChildProcess, re: RegExp, out: () => string, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const check = () => {
      const m = out().match(re);
      if (m) return resolve(m);
      if (Date.now() - t0 > ms || p.exitCode !== null) return reject(new Error(`waiting for ${re}: ${out().slice(-1500)}`));
      setTimeout(check, 100);
    };
    check();
  });
}

function launch(args: string[], env: NodeJS.ProcessEnv, useBundle = false): { p: ChildProcess; out: () => string } {
  let buf = '';
  // KABOSU_BENCH_FW_FLAGS: extra node flags for the firmware process (e.g. --max-semi-space-size=1).
  const flags = useBundle && process.env.KABOSU_BENCH_FW_FLAGS ? process.env.KABOSU_BENCH_FW_FLAGS.split(' ') : [];
  const p = spawn(process.execPath, [...flags, useBundle ? bundle : src, ...args], { env });
  p.stdout!.setEncoding('utf8').on('data', (d: string) => (buf = (buf + d).slice(-200_000)));
  p.stderr!.setEncoding('utf8').on('data', (d: string) => (buf = (buf + d).slice(-200_000)));
  return { p, out: () => buf };
}

async function measure(o: { mining: boolean; windowMs: number; dir: string; env: NodeJS.ProcessEnv; url: string; hal: string }) {
  const cfg = join(o.dir, `fw-${o.mining}.json`);
  const dataDir = join(o.dir, `data-${o.mining}`);
  writeFileSync(cfg, JSON.stringify({
    version: 1, device: { id: 'bench' }, mining: { enabled: o.mining },
    pools: [{ name: 'p', url: o.url, user: 'w.1', password: 'x' }],
    hashboards: { backend: 'sim-remote', model: 'l3plus', sim: { pow: 'scrypt-sim' }, simRemote: { hal: o.hal } },
    api: { http: { enabled: true, host: '127.0.0.1', port: 18_000 + (process.pid % 1000) } }, logging: { level: 'warn' },
  }));
  const fw = launch(['run', '--config', cfg, '--data-dir', dataDir], o.env, true);
  try {
    const sock = join(dataDir, 'kabosu.sock');
    const t0 = Date.now();
    while (!existsSync(sock) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 200));
    const status = () => {
      const r = spawnSync(process.execPath, [bundle, 'status', '--json', '--config', cfg, '--data-dir', dataDir], { encoding: 'utf8', env: o.env });
      if (r.status !== 0) throw new Error(`status failed: ${r.stderr}\nfirmware: ${fw.out().slice(-2000)}`);
      return JSON.parse(r.stdout);
    };
    const tryStatus = () => {
      try {
        return status();
      } catch {
        return undefined; // still starting
      }
    };
    const t1 = Date.now();
    while (!tryStatus() && Date.now() - t1 < 60_000) await new Promise((r) => setTimeout(r, 1000));
    if (o.mining) {
      while (!(tryStatus()?.shares?.accepted > 0) && Date.now() - t1 < 90_000) await new Promise((r) => setTimeout(r, 1000));
      await new Promise((r) => setTimeout(r, 5000)); // past bring-up
    } else await new Promise((r) => setTimeout(r, 8000));
    const s0 = status();
    const a = procStat(fw.p.pid!);
    const w0 = Date.now();
    let peak = a.rssMB;
    while (Date.now() - w0 < o.windowMs) {
      await new Promise((r) => setTimeout(r, 1000));
      peak = Math.max(peak, procStat(fw.p.pid!).rssMB);
    }
    const b = procStat(fw.p.pid!);
    const s1 = status();
    const secs = (Date.now() - w0) / 1000;
    const nonces = (s1.chains ?? []).reduce((x: number, c: { nonces: number }) => x + c.nonces, 0) - (s0.chains ?? []).reduce((x: number, c: { nonces: number }) => x + c.nonces, 0);
    return { cpuFractionOfCore: (b.cpuS - a.cpuS) / secs, rssMB: b.rssMB, peakRssMB: peak, vmHwmMB: b.hwmMB, noncesPerSecond: nonces / secs, accepted: s1.shares?.accepted ?? 0 };
  } finally {
    fw.p.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    if (fw.p.exitCode === null) fw.p.kill('SIGKILL');
  }
}

export async function benchFirmware(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  if (!existsSync(bundle)) throw new Error('dist/kabosu.cjs missing: run `npm run build` first');
  const windowMs = o.smoke ? 10_000 : 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-fwbench-'));
  const env = { ...process.env } as NodeJS.ProcessEnv;
  for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
  const hal = `unix:${join(dir, 'hal.sock')}`;
  const sim = launch(['sim', 'run', '--board', 'l3plus', '--seed', '7', '--pty', '--hal', hal, '--control', `unix:${join(dir, 'ctl.sock')}`], env);
  const pool = launch(['pool', '--port', '0', '--pow', 'scrypt-sim', '--difficulty', '4096'], env);
  try {
    await wait(sim.p, /hal unix:/, sim.out, 30_000);
    const url = (await wait(pool.p, /stratum\+tcp:\/\/[0-9.]+:\d+/, pool.out, 30_000))[0];
    const idle = await measure({ mining: false, windowMs: Math.min(windowMs, 20_000), dir, env, url, hal });
    const mining = await measure({ mining: true, windowMs, dir, env, url, hal });
    const table =
      `firmware alone (dist bundle, own process; sim and pool in other processes), ${windowMs / 1000} s window\n` +
      `  mining: CPU ${(mining.cpuFractionOfCore * 100).toFixed(2)} % of one core (budget 10 %), RSS ${mining.rssMB.toFixed(1)} MB, peak ${mining.peakRssMB.toFixed(1)} MB (budget 80 MB), ${mining.noncesPerSecond.toFixed(0)} nonces/s\n` +
      `  idle daemon (mining off, same run): CPU ${(idle.cpuFractionOfCore * 100).toFixed(2)} %, RSS ${idle.rssMB.toFixed(1)} MB\n`;
    return { table, result: { windowS: windowMs / 1000, mining, idle, budgets: { cpuFractionOfCore: 0.1, rssMB: 80 } } };
  } finally {
    sim.p.kill('SIGTERM');
    pool.p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
