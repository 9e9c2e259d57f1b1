import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { localRequest } from '../../src/api/local/client';
import type { DaemonStatus } from '../../src/app/status';
import { serviceEnvironment } from './serviceUnit';
import { histogramDelta, quantileBound, type HistogramSnapshot } from '../../src/core/latencyHistogram';

/**
 * The firmware process alone (issue #5 budget: CPU < 10% of one core, RSS < 80 MB for one L3+,
 * 4 x 72 chips, ~300 nonces/s): `kabosu sim run --pty --hal`, `kabosu pool` and `kabosu run`
 * (backend sim-remote) are three processes; CPU (utime+stime) and RSS (VmRSS samples, VmHWM
 * peak) are read from /proc/<pid> of the firmware only, over a window that starts once every
 * chain is mining.
 */
const BIN = join(__dirname, '../../bin/kabosu.js');
const CPU_BUDGET = 0.1;
/**
 * The firmware runs with the environment of the shipped systemd unit (image/systemd/
 * kabosu.service: NODE_OPTIONS=--max-semi-space-size=1), plus KABOSU_BENCH_FIRMWARE_ENV
 * ("K=V K=V", experiments) and KABOSU_BENCH_NODE_FLAGS (extra node flags on the command line).
 * Measured over 60 s (2026-11-23, everything on): default V8 young generation 109.5 MB RSS;
 * the unit's 1 MiB semi-space, the minified bundle and the in-block one-hash scrypt: see the
 * closing note of issue #5 and docs/performance.md.
 */
const SERVICE_ENV = process.env.KABOSU_BENCH_FIRMWARE_ENV ?? '';
const RSS_BUDGET_MB = 80;

function clockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
}

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15, proc(5)). */
function cpuSeconds(pid: number, hz: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // comm may contain spaces
  return (Number(f[11]) + Number(f[12])) / hz;
}

/** utime + stime per thread name (/proc/<pid>/task/<tid>/stat), in seconds: where the CPU goes. */
function cpuByThread(pid: number, hz: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Node 20 leaves its threads named "node": the main thread is tid == pid, the rest by tid.
      const name = tid === String(pid) ? 'main' : `tid${tid}`;
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / hz;
    } catch {
      /* thread ended */
    }
  }
  return out;
}

/** The main thread's user and system CPU seconds (where the event loop's time goes: JS or syscalls). */
function mainUserSys(pid: number, hz: number): { user: number; sys: number } {
  const s = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) / hz, sys: Number(f[12]) / hz };
}

function statusKb(pid: number, key: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function firstLine(p: ChildProcess, what: string): Promise<string> {
  let err = '';
  p.stderr?.on('data', (c) => (err += String(c)));
  return new Promise((resolve, reject) => {
    createInterface({ input: p.stdout! }).once('line', resolve);
    p.once('exit', (c) => reject(new Error(`${what} exited ${c}: ${err.slice(-1500)}`)));
  });
}

async function waitMining(sock: string, timeoutMs: number): Promise<DaemonStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = await localRequest<DaemonStatus>(sock, 'GET', '/v1/status');
      if (s.chains.length === 4 && s.chains.every((c) => c.nonces > 0)) return s;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error('the firmware did not start mining on every chain in time');
    await new Promise((r) => setTimeout(r, 500));
  }
}

function windowLatency(before: HistogramSnapshot | undefined, after: HistogramSnapshot | undefined): { shares: number; p50_le_ms: number | null; p99_le_ms: number | null; over_1ms: number; buckets: HistogramSnapshot } | null {
  if (!after) return null;
  const d = histogramDelta(before, after);
  const oneMs = d.le_ms.indexOf(1);
  return {
    shares: d.counts.reduce((a, b) => a + b, 0),
    p50_le_ms: quantileBound(d, 0.5),
    p99_le_ms: quantileBound(d, 0.99),
    over_1ms: d.counts.slice(oneMs + 1).reduce((a, b) => a + b, 0),
    buckets: d,
  };
}

export async function benchPipelineRemote(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const runMs = o.smoke ? 8_000 : 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-bench-remote-'));
  const env = { ...process.env, KABOSU_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
  const procs: ChildProcess[] = [];
  const pin = cpuPinning(process.env.KABOSU_BENCH_PIN ?? 'none');
  const run = (args: string[], stdout: 'pipe' | 'ignore' = 'pipe') => {
    // The simulator and the pool stand in for hash boards and a remote pool: on a miner neither
    // shares the controller's CPU. They run under SCHED_IDLE (every thread: `chrt` execs node),
    // so they never preempt the firmware: a share written to the loopback socket is a "sync"
    // wake-up of the pool, which the kernel places on the writer's core, and the pool then ran
    // its share verification before the firmware's write() returned (~1 ms per share, measured).
    // KABOSU_BENCH_LOAD_SCHED=normal runs them as ordinary processes.
    const sched = process.env.KABOSU_BENCH_LOAD_SCHED ?? 'idle';
    const cmd = [...pin.load, ...(sched === 'normal' ? [] : ['chrt', `--${sched === 'batch' ? 'batch' : 'idle'}`, '0']), process.execPath, BIN, ...args];
    const p = spawn(cmd[0], cmd.slice(1), { cwd: dir, env, stdio: ['ignore', stdout, 'pipe'] });
    procs.push(p);
    return p;
  };
  try {
    const sim = run(['sim', 'run', '--board', 'l3plus', '--seed', '7', '--pty', '--json', '--control', `unix:${join(dir, 'ctl.sock')}`, '--hal', `unix:${join(dir, 'hal.sock')}`]);
    // A fixed share difficulty (no vardiff): ~2 shares/s from the L3+, ~120 in the 60 s window,
    // so p99 is not simply the worst share. KABOSU_BENCH_POOL_DIFF / KABOSU_BENCH_POOL_ARGS
    // (extra `kabosu pool` flags, later ones win) change it.
    const pool = run(['pool', '--port', '0', '--difficulty', process.env.KABOSU_BENCH_POOL_DIFF ?? '4096', '--vardiff', '0', '--block-interval', '6', '--job-interval', '3', ...(process.env.KABOSU_BENCH_POOL_ARGS ?? '').split(' ').filter(Boolean)]);
    const info = JSON.parse(await firstLine(sim, 'kabosu sim')) as { hal: string; ptys: string[] };
    const url = (await firstLine(pool, 'kabosu pool')).trim();
    const cfg = join(dir, 'config.json');
    const dataDir = join(dir, 'data');
    writeFileSync(cfg, JSON.stringify({ version: 1, mining: { enabled: true }, pools: [{ name: 'bench', url, user: 'bench.worker' }], hashboards: { backend: 'sim-remote', model: 'l3plus', simRemote: { hal: info.hal, ptys: info.ptys, pow: 'scrypt-sim' } } }));
    // The firmware runs as it ships: the esbuild release bundle (KABOSU_BENCH_FROM_SOURCE=1: through tsx).
    const fromSource = process.env.KABOSU_BENCH_FROM_SOURCE === '1';
    let fwEntry = BIN;
    if (!fromSource) {
      const dist = join(dir, 'dist');
      execFileSync(process.execPath, [join(__dirname, '../build/bundle.mjs')], { env: { ...process.env, KABOSU_DIST: dist }, stdio: 'pipe' });
      fwEntry = join(dist, 'kabosu.cjs');
    }
    // The firmware logs at its default level (info: one line per accepted share) to a discarded stdout, as to journald.
    // KABOSU_BENCH_FW_STDOUT: a file for the firmware's stdout (its log, or --trace-gc output).
    // KABOSU_BENCH_NODE_FLAGS: extra node/V8 flags for the firmware process only (e.g. heap sizing experiments).
    const nodeFlags = (process.env.KABOSU_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const serviceEnv = Object.fromEntries(SERVICE_ENV.split(' ').filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
    const unitEnv = serviceEnvironment();
    const fwCmd = [...pin.firmware, process.execPath];
    const fw = spawn(fwCmd[0], [...fwCmd.slice(1), ...nodeFlags, fwEntry, 'run', '--config', cfg, '--data-dir', dataDir], { cwd: dir, env: { ...process.env, ...unitEnv, ...serviceEnv }, stdio: ['ignore', process.env.KABOSU_BENCH_FW_STDOUT ? openSync(process.env.KABOSU_BENCH_FW_STDOUT, 'w') : 'ignore', 'pipe'] });
    procs.push(fw);
    const pid = fw.pid!;
    const sock = join(dataDir, 'kabosu.sock');
    const s0 = await waitMining(sock, 60_000);
    const hz = clockTicks();
    const cpu0 = cpuSeconds(pid, hz);
    const threads0 = cpuByThread(pid, hz);
    const main0 = mainUserSys(pid, hz);
    const t0 = performance.now();
    const rssKb: number[] = [];
    const sampler = setInterval(() => rssKb.push(statusKb(pid, 'VmRSS')), 1000);
    await new Promise((r) => setTimeout(r, runMs));
    clearInterval(sampler);
    const wallS = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(pid, hz) - cpu0;
    const threads1 = cpuByThread(pid, hz);
    const main1 = mainUserSys(pid, hz);
    const mainSplit = { user: +((main1.user - main0.user) / wallS).toFixed(4), sys: +((main1.sys - main0.sys) / wallS).toFixed(4) };
    const cpuThreads = Object.fromEntries(
      Object.entries(threads1)
        .map(([k, v]) => [k, +((v - (threads0[k] ?? 0)) / ((performance.now() - t0) / 1000)).toFixed(4)] as const)
        .filter(([, v]) => v >= 0.001)
        .sort((a, b) => b[1] - a[1]),
    );
    const hwmMb = statusKb(pid, 'VmHWM') / 1024;
    const anonMb = statusKb(pid, 'RssAnon') / 1024;
    const fileMb = statusKb(pid, 'RssFile') / 1024;
    if (process.env.KABOSU_BENCH_SMAPS) writeFileSync(process.env.KABOSU_BENCH_SMAPS, readFileSync(`/proc/${pid}/smaps`));
    const s1 = await localRequest<DaemonStatus>(sock, 'GET', '/v1/status');
    const nonces = s1.chains.reduce((a, c) => a + c.nonces, 0) - s0.chains.reduce((a, c) => a + c.nonces, 0);
    const cpuFraction = cpu / wallS;
    const rssMax = Math.max(...rssKb) / 1024;
    const result = {
      bench: 'pipeline-remote',
      board: 'l3plus (kabosu sim process, PTYs + remote hal, scrypt-sim)',
      seconds: +wallS.toFixed(1),
      node_flags: nodeFlags.join(' '),
      firmware_env: { ...serviceEnvironment(), ...Object.fromEntries(SERVICE_ENV.split(' ').filter(Boolean).map((kv) => kv.split('=', 2) as [string, string])) },
      firmware: fromSource ? 'source via tsx' : 'release bundle (dist/kabosu.cjs)',
      nonces_per_s: +(nonces / wallS).toFixed(1),
      cpu_fraction_of_one_core: +cpuFraction.toFixed(4),
      cpu_budget: CPU_BUDGET,
      cpu_fraction_by_thread: cpuThreads,
      main_thread_user_sys: mainSplit,
      rss_mb: { max_sampled: +rssMax.toFixed(1), peak_vmhwm: +hwmMb.toFixed(1), last: +(rssKb[rssKb.length - 1]! / 1024).toFixed(1), anon_at_end: +anonMb.toFixed(1), file_at_end: +fileMb.toFixed(1) },
      rss_budget_mb: RSS_BUDGET_MB,
      within_budget: cpuFraction < CPU_BUDGET && hwmMb < RSS_BUDGET_MB,
      blocks_interval_s: 6,
      shares: sharesInWindow(s0.shares, s1.shares),
      nonce_read_to_share_written_ms: s1.shares.submit_host_ms ?? null,
      // The window's shares only (two histogram snapshots subtracted): the ring above also holds
      // the first shares after start, which run cold code (lazy compilation, empty inline caches).
      nonce_read_to_share_written_window: windowLatency(s0.shares.submit_host_hist, s1.shares.submit_host_hist),
      notify_to_work_written_ms: s1.shares.work_host_ms ?? null,
    };
    const table =
      `pipeline-remote: firmware process alone (${result.firmware}, env ${Object.entries(result.firmware_env).map(([k, v]) => `${k}=${v}`).join(' ') || 'none'}; sim + pool in other processes), ${result.seconds} s:\n` +
      `  ${result.nonces_per_s} nonces/s; CPU ${(cpuFraction * 100).toFixed(1)}% of one core (budget ${CPU_BUDGET * 100}%); ` +
      `RSS max ${result.rss_mb.max_sampled} MB, peak (VmHWM) ${result.rss_mb.peak_vmhwm} MB (budget ${RSS_BUDGET_MB} MB); at the end ${anonMb.toFixed(1)} MB anonymous + ${fileMb.toFixed(1)} MB file-backed\n` +
      `  CPU by thread: ${Object.entries(cpuThreads).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`).join(', ')} (main: user ${(mainSplit.user * 100).toFixed(1)}%, system ${(mainSplit.sys * 100).toFixed(1)}%)\n` +
      `  shares in window: ${result.shares.accepted} accepted of ${result.shares.submitted} submitted, stale ${result.shares.stale_not_submitted}, rejected ${result.shares.rejected} (blocks every 6 s): stale+reject ${((result.shares.stale_plus_reject_rate ?? 0) * 100).toFixed(2)}%; nonce read -> share written (firmware, last ${result.nonce_read_to_share_written_ms?.samples ?? 0} shares): p50 ${result.nonce_read_to_share_written_ms?.p50 ?? '-'} ms, p99 ${result.nonce_read_to_share_written_ms?.p99 ?? '-'} ms\n` +
      `  in the window only (${result.nonce_read_to_share_written_window?.shares ?? 0} shares, bucket bounds): p50 <= ${result.nonce_read_to_share_written_window?.p50_le_ms ?? '-'} ms, p99 <= ${result.nonce_read_to_share_written_window?.p99_le_ms ?? '-'} ms, over 1 ms: ${result.nonce_read_to_share_written_window?.over_1ms ?? '-'}\n` +
      `  notify -> work written on all 4 chains (firmware, last ${result.notify_to_work_written_ms?.samples ?? 0} jobs): p50 ${result.notify_to_work_written_ms?.p50 ?? '-'} ms, p99 ${result.notify_to_work_written_ms?.p99 ?? '-'} ms\n`;
    return { table, result };
  } finally {
    for (const p of procs.reverse()) {
      if (p.exitCode !== null || p.signalCode !== null) continue;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * KABOSU_BENCH_PIN=split: the load generators (simulator, pool) and this process on the last
 * CPU, the firmware on the others (`taskset`); "none": the kernel places everything.
 */
function cpuPinning(mode: string): { firmware: string[]; load: string[] } {
  const n = cpus().length;
  if (mode !== 'split' || n < 2) return { firmware: [], load: [] };
  const last = String(n - 1);
  spawnSync('taskset', ['-a', '-cp', last, String(process.pid)], { stdio: 'ignore' });
  return { firmware: ['taskset', '-c', n === 2 ? '0' : `0-${n - 2}`], load: ['taskset', '-c', last] };
}

/** The window's share accounting from two status snapshots: stale (not submitted) and rejected by the pool. */
function sharesInWindow(a: DaemonStatus['shares'], b: DaemonStatus['shares']) {
  const sum = (r: Record<string, number> | undefined, f: (k: string) => boolean) => Object.entries(r ?? {}).filter(([k]) => f(k)).reduce((x, [, v]) => x + v, 0);
  const stale = sum(b.not_submitted, (k) => k.startsWith('stale')) - sum(a.not_submitted, (k) => k.startsWith('stale'));
  const rejected = sum(b.rejected, () => true) - sum(a.rejected, () => true);
  const submitted = b.submitted - a.submitted;
  const found = submitted + stale;
  return { found, submitted, accepted: b.accepted - a.accepted, stale_not_submitted: stale, rejected, stale_plus_reject_rate: found ? +((stale + rejected) / found).toFixed(4) : null };
}
