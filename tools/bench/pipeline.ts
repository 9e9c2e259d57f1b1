import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { RealClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim';
import { startTestPool } from '../../src/pool';
import { validateConfigData } from '../../src/config';
import { devConfig } from '../../src/app/devConfig';
import { MiningComponent } from '../../src/app/mining';
import { simBoardsOf } from '../../src/boards/sim';

/**
 * The mining pipeline for one simulated L3+ (4 x 72 chips) against the test pool, in one
 * process: notify -> work on all chains (host time), nonce bytes read -> share written (host
 * time, verification included), CPU share of one core and RSS while
 * mining, nonce rate, stale + reject rate. CPU and RSS include the simulator and the test
 * pool, which share the process: an upper bound for the firmware alone (the sim bench gives the
 * simulator's own cost).
 */
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

export async function benchPipeline(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const runMs = o.smoke ? 8_000 : 60_000;
  const blockS = o.smoke ? 4 : 6;
  const clock = new RealClock();
  const log = pino({ level: 'silent' });
  const pool = await startTestPool({ port: 0, pow: 'scrypt-sim', difficulty: 4096, blockIntervalS: blockS, jobIntervalS: blockS / 2, log });
  const base = devConfig() as { pools: { url: string; password?: string }[] };
  base.pools[0].url = pool.url;
  const { config } = validateConfigData(base, 'bench');
  const sim = createSimMiner({ boardId: 'l3plus', seed: 7, clock, pow: 'scrypt-sim' });
  sim.start();
  const mining = new MiningComponent({ config, clock, log, boards: simBoardsOf(sim, 'scrypt-sim') });
  await mining.start();
  // Measure once every chain is mining.
  const nonces0 = mining.core!.stats.minerSnapshot(clock.now()).nonces;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
  const jobs0 = mining.workLatencyMs.length;
  mining.shareLatencyMs.length = 0; // the window's shares only
  await new Promise((r) => setTimeout(r, runMs));
  clearInterval(sampler);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const nonces = mining.core!.stats.minerSnapshot(clock.now()).nonces - nonces0;
  const lat = mining.workLatencyMs.slice(jobs0);
  const shareLat = [...mining.shareLatencyMs];
  const stale = Object.entries(mining.shares.notSubmitted).filter(([k]) => k.startsWith('stale')).reduce((a, [, v]) => a + v, 0);
  const rejected = Object.values(mining.shares.rejected).reduce((a, b) => a + b, 0);
  const found = mining.shares.submitted + stale;
  const result = {
    bench: 'pipeline',
    board: 'l3plus (simulated, scrypt-sim)',
    seconds: +wallS.toFixed(1),
    blocks_interval_s: blockS,
    notify_to_work_all_chains_ms: { jobs: lat.length, p50: +pct(lat, 50).toFixed(3), p99: +pct(lat, 99).toFixed(3), max: +Math.max(...lat, 0).toFixed(3) },
    nonce_read_to_share_written_ms: { shares: shareLat.length, p50: +pct(shareLat, 50).toFixed(3), p99: +pct(shareLat, 99).toFixed(3), max: +Math.max(...shareLat, 0).toFixed(3) },
    nonces_per_s: +(nonces / wallS).toFixed(1),
    cpu_fraction_of_one_core: +((cpu.user + cpu.system) / 1e6 / wallS).toFixed(4),
    rss_mb: { max: +(Math.max(...rss) / 2 ** 20).toFixed(1), last: +(rss[rss.length - 1] / 2 ** 20).toFixed(1) },
    shares: { found, submitted: mining.shares.submitted, accepted: mining.shares.accepted, stale_not_submitted: stale, rejected },
    stale_plus_reject_rate: found ? +((stale + rejected) / found).toFixed(4) : null,
    pool_side: pool.stats().rejected,
  };
  await mining.stop();
  await sim.stop();
  await pool.close();
  const table =
    `pipeline, simulated L3+ vs test pool, ${result.seconds} s (blocks every ${blockS} s):\n` +
    `  notify -> work on 4 chains: p50 ${result.notify_to_work_all_chains_ms.p50} ms, p99 ${result.notify_to_work_all_chains_ms.p99} ms (${lat.length} jobs)\n` +
    `  nonce read -> share written: p50 ${result.nonce_read_to_share_written_ms.p50} ms, p99 ${result.nonce_read_to_share_written_ms.p99} ms (${shareLat.length} shares; target p99 < 1 ms)\n` +
    `  ${result.nonces_per_s} nonces/s; CPU ${(result.cpu_fraction_of_one_core * 100).toFixed(1)}% of one core (sim + pool + firmware); RSS max ${result.rss_mb.max} MB\n` +
    `  shares: ${found} found, ${mining.shares.accepted} accepted, stale ${stale}, rejected ${rejected}: stale+reject ${((result.stale_plus_reject_rate ?? 0) * 100).toFixed(2)}%\n`;
  return { table, result };
}
