/**
 * cgminer API bench: request→last-byte latency of `summary+stats` on the :4028 server (port 0,
 * loopback), p50/p99, with 200 concurrent clients (each opens a connection per request, as
 * cgminer clients do) against a baseline of one client at a time. Target p99 < 5 ms.
 */
import pino from 'pino';
import { Worker } from 'node:worker_threads';
import { CgminerApiServer } from '../../src/api/cgminer/server';
import { DaemonControl } from '../../src/app/control';
import { validateConfigText } from '../../src/config/validate';
import type { ChainStatus, DaemonStatus, RateWindows } from '../../src/core/minerApi';

export interface CgminerBenchResult {
  /** 200 clients each polling once a second at its own phase (the target applies here). */
  polling: { clients: number; requests: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** All 200 connect at the same instant (worst case burst: queueing included). */
  concurrent: { clients: number; requests: number; p50Ms: number; p99Ms: number; maxMs: number };
  sequential: { requests: number; p50Ms: number; p99Ms: number };
  ratioP99ToBaseline: number;
  targets: { p99Ms: number };
}

const rates = (mhs: number): RateWindows => {
  const f = { hps: mhs * 1e6, rel_err: 0.01 };
  return { '5s': f, '1m': f, '15m': f, total: f };
};
const chain = (index: number): ChainStatus => ({ index, chips_expected: 72, chips_found: 72, nonces: 1000, hw_errors: 1, crc_errors: 0, silent_chips: [], freq_mhz: 425, ticket_difficulty: 64, hashrate: rates(138) });
const status: DaemonStatus = {
  version: 'bench', uptime_s: 3600, state: 'mining', device_id: 'bench',
  hashboards: { backend: 'sim', model: 'l3plus', simulated: true, pow: 'scrypt' },
  hashrate: { chips: rates(552), pool_accepted: null },
  shares: { submitted: 10, accepted: 10, rejected: {}, not_submitted: {} },
  pools: [{ name: 'p', url: 'stratum+tcp://pool:3333', state: 'ready', active: true, difficulty: 65536, latency_ms: 10, accepted: 10, rejected: 0 }],
  chains: [0, 1, 2, 3].map(chain), components: [],
};

/** The clients run in a worker thread so their work does not share the server's event loop. */
const CLIENT_JS = `
const { parentPort, workerData } = require('node:worker_threads');
const { connect } = require('node:net');
const { performance } = require('node:perf_hooks');
function one(port) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = connect(port, '127.0.0.1', () => s.write('{"command":"summary+stats"}'));
    let n = 0;
    s.on('data', (d) => { n += d.length; });
    s.on('error', reject);
    s.on('close', () => (n > 0 ? resolve(performance.now() - t0) : reject(new Error('empty reply'))));
  });
}
(async () => {
  const { port, seqN, clients, rounds } = workerData;
  for (let i = 0; i < 20; i++) await one(port);
  const seq = [];
  for (let i = 0; i < seqN; i++) seq.push(await one(port));
  const conc = [];
  for (let r = 0; r < rounds; r++) conc.push(...(await Promise.all(Array.from({ length: clients }, () => one(port)))));
  // Polling: each client asks once per second at its own phase (how fleet tools poll).
  const poll = [];
  await Promise.all(Array.from({ length: clients }, async (_, k) => {
    await new Promise((r) => setTimeout(r, (k * 1000) / clients));
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      poll.push(await one(port));
      await new Promise((res) => setTimeout(res, Math.max(0, 1000 - (performance.now() - t0))));
    }
  }));
  parentPort.postMessage({ seq, conc, poll });
})().catch((e) => parentPort.postMessage({ error: String(e) }));
`;

function runClients(data: { port: number; seqN: number; clients: number; rounds: number }): Promise<{ seq: number[]; conc: number[]; poll: number[] }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(CLIENT_JS, { eval: true, workerData: data });
    w.once('message', (m: { seq: number[]; conc: number[]; poll: number[]; error?: string }) => { void w.terminate(); if (m.error) reject(new Error(m.error)); else resolve(m); });
    w.once('error', reject);
  });
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export async function benchCgminerRun(o: { smoke: boolean }): Promise<CgminerBenchResult> {
  const { config } = validateConfigText('{"version":1}', 'bench');
  const control = new DaemonControl({ status: () => status, config: () => config });
  const server = new CgminerApiServer({ host: '127.0.0.1', port: 0, personality: 'antminer-l3plus', allow: ['127.0.0.1'], control, log: pino({ level: 'silent' }), maxConnections: 4096 });
  const { port } = await server.listen();
  try {
    const clients = 200;
    const { seq, conc, poll } = await runClients({ port, seqN: o.smoke ? 50 : 300, clients, rounds: o.smoke ? 2 : 5 });
    poll.sort((a, b) => a - b);
    seq.sort((a, b) => a - b);
    conc.sort((a, b) => a - b);
    return {
      polling: { clients, requests: poll.length, p50Ms: r3(pct(poll, 0.5)), p99Ms: r3(pct(poll, 0.99)), maxMs: r3(poll[poll.length - 1]) },
      concurrent: { clients, requests: conc.length, p50Ms: r3(pct(conc, 0.5)), p99Ms: r3(pct(conc, 0.99)), maxMs: r3(conc[conc.length - 1]) },
      sequential: { requests: seq.length, p50Ms: r3(pct(seq, 0.5)), p99Ms: r3(pct(seq, 0.99)) },
      ratioP99ToBaseline: r3(pct(poll, 0.99) / pct(seq, 0.99)),
      targets: { p99Ms: 5 },
    };
  } finally {
    await server.close();
  }
}

export async function benchCgminer(o: { smoke: boolean }): Promise<{ table: string; result: CgminerBenchResult }> {
  const r = await benchCgminerRun(o);
  const table =
    `cgminer API :4028, summary+stats, ${r.polling.clients} clients polling 1/s (${r.polling.requests} requests): ` +
    `p50 ${r.polling.p50Ms} ms, p99 ${r.polling.p99Ms} ms (target < ${r.targets.p99Ms}), max ${r.polling.maxMs} ms\n` +
    `  burst, all ${r.concurrent.clients} at once (${r.concurrent.requests}): p50 ${r.concurrent.p50Ms} ms, p99 ${r.concurrent.p99Ms} ms, max ${r.concurrent.maxMs} ms\n` +
    `  one client at a time (${r.sequential.requests}): p50 ${r.sequential.p50Ms} ms, p99 ${r.sequential.p99Ms} ms; p99 ratio ${r.ratioP99ToBaseline}\n`;
  return { table, result: r };
}
