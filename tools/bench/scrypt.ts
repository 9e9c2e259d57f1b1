import { scryptSync } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { loadAddon } from '../../src/native/load';
import { scryptNodeAsync } from '../../src/pow/scryptNode';
import { nativeScryptBackend } from '../../src/pow/native';

/**
 * Scrypt throughput per implementation in one process (ratios against node:crypto measured in
 * the same run), event-loop delay while verifying 2,000 nonces/s, and the latency of a lone
 * nonce (how real chains deliver them).
 */
function headers(n: number): Buffer {
  const b = Buffer.alloc(n * 80);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ (i >>> 3)) >>> 0, i);
  return b;
}

function rate(fn: () => number, minMs: number): number {
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) done += fn();
  return done / ((performance.now() - t0) / 1000);
}

async function asyncRate(fn: () => Promise<number>, minMs: number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) done += await fn();
  return done / ((performance.now() - t0) / 1000);
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchScrypt(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const ms = o.smoke ? 150 : 2000;
  const addon = loadAddon();
  const cores = availableParallelism();
  const h = headers(256);
  const one = h.subarray(0, 80);
  // node:crypto is measured right before and after every path and each ratio uses the mean of
  // those two, so a neighbour's load on a shared machine moves both sides of a ratio alike.
  const nodeRate = () => rate(() => (scryptSync(one, one, 32, { N: 1024, r: 1, p: 1 }), 1), ms / 2);
  const nodeSamples: number[] = [];
  const nodeAsync = await asyncRate(async () => {
    await Promise.all(Array.from({ length: cores * 4 }, (_, i) => scryptNodeAsync(h.subarray(i * 80, i * 80 + 80))));
    return cores * 4;
  }, ms);
  const paths: Record<string, { one_thread_hps: number; all_cores_hps: number; ratio_one_thread_vs_node_sync: number }> = {};
  for (const p of addon.paths()) {
    const batch = h.subarray(0, p.lanes * 8 * 80);
    const nodeBefore = nodeRate();
    const single = rate(() => (addon.scryptSync(batch, p.name), p.lanes * 8), ms);
    const nodeAfter = nodeRate();
    nodeSamples.push(nodeBefore, nodeAfter);
    const nodeAround = (nodeBefore + nodeAfter) / 2;
    const backend = nativeScryptBackend(addon, p.name, cores);
    const list = Array.from({ length: p.lanes * 8 * cores }, (_, i) => h.subarray((i % 256) * 80, (i % 256) * 80 + 80));
    const all = await asyncRate(async () => (await backend.scryptMany(list)).length, ms);
    paths[p.name] = { one_thread_hps: Math.round(single), all_cores_hps: Math.round(all), ratio_one_thread_vs_node_sync: +(single / nodeAround).toFixed(2) };
  }
  // Event-loop delay while verifying 2,000 nonces/s in batches every 10 ms (20 per batch), with
  // the same process idle for the same time as the baseline. monitorEventLoopDelay records the
  // time between its 1 ms timer's runs, so 1 ms (the interval itself) is taken off every
  // figure: what remains is the delay the event loop actually suffered.
  const backend = nativeScryptBackend(addon);
  const runMs = o.smoke ? 500 : 5000;
  const RES_MS = 1;
  const delay = async (load: boolean) => {
    const hist = monitorEventLoopDelay({ resolution: RES_MS });
    hist.enable();
    const t0 = performance.now();
    let verified = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (performance.now() - t0 > runMs) {
          clearInterval(timer);
          resolve();
          return;
        }
        if (!load) return;
        const list = Array.from({ length: 20 }, (_, i) => h.subarray(i * 80, i * 80 + 80));
        void backend.scryptMany(list).then((r) => (verified += r.length));
      }, 10);
    });
    hist.disable();
    const ex = (ns: number) => +Math.max(0, ns / 1e6 - RES_MS).toFixed(3);
    return { nonces_per_s: Math.round(verified / (runMs / 1000)), p50_ms: ex(hist.percentile(50)), p99_ms: ex(hist.percentile(99)), max_ms: ex(hist.max) };
  };
  const idleDelay = await delay(false);
  const loadDelay = await delay(true);
  // Lone-nonce latency: one header at a time, native vs node:crypto.
  const lat = async (fn: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < (o.smoke ? 50 : 500); i++) {
      const s = performance.now();
      await fn();
      xs.push(performance.now() - s);
    }
    xs.sort((a, b) => a - b);
    return { p50_ms: +pct(xs, 50).toFixed(3), p99_ms: +pct(xs, 99).toFixed(3) };
  };
  const loneNative = await lat(() => backend.scryptMany([one]));
  const loneNode = await lat(() => scryptNodeAsync(one));
  const nodeSync = [...nodeSamples].sort((a, b) => a - b)[Math.floor(nodeSamples.length / 2)];
  const best = Object.entries(paths)[0];
  const result = {
    bench: 'scrypt',
    cpu_cores: cores,
    node_crypto: { sync_one_thread_hps: Math.round(nodeSync), async_all_cores_hps: Math.round(nodeAsync) },
    native: paths,
    best_path: best[0],
    ratio_best_one_thread_vs_node_sync: best[1].ratio_one_thread_vs_node_sync,
    ratio_best_all_cores_vs_node_async: +(best[1].all_cores_hps / nodeAsync).toFixed(2),
    event_loop_delay_while_verifying: loadDelay,
    event_loop_delay_idle: idleDelay,
    lone_nonce_latency: { native: loneNative, node_crypto: loneNode },
  };
  const lines = [
    `scrypt N=1024 r=1 p=1 on ${cores} cores`,
    `  node:crypto sync 1 thread      ${result.node_crypto.sync_one_thread_hps} H/s (median of ${nodeSamples.length}: one before and one after each path; each ratio uses its own pair)`,
    `  node:crypto async all cores    ${result.node_crypto.async_all_cores_hps} H/s`,
    ...Object.entries(paths).map(([n, v]) => `  native ${n.padEnd(9)} 1 thread ${String(v.one_thread_hps).padStart(6)} H/s (${v.ratio_one_thread_vs_node_sync}x)  all cores ${v.all_cores_hps} H/s`),
    `  event-loop delay at ${loadDelay.nonces_per_s} nonces/s: p50 ${loadDelay.p50_ms} ms p99 ${loadDelay.p99_ms} ms (idle: p50 ${idleDelay.p50_ms} ms p99 ${idleDelay.p99_ms} ms)`,
    `  lone nonce: native p50 ${loneNative.p50_ms} ms p99 ${loneNative.p99_ms} ms; node:crypto p50 ${loneNode.p50_ms} ms p99 ${loneNode.p99_ms} ms`,
  ];
  return { table: lines.join('\n') + '\n', result };
}
