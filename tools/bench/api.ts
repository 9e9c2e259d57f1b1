import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

/**
 * HTTP API latency under 200 concurrent clients (issue 7 target: p99 < 5 ms): the kabosu API
 * (route table, status JSON, /metrics rendering) in its own process, and in the same run a bare
 * node:http server answering the same status bytes as the baseline. Client time per request,
 * keep-alive connections, one request in flight per client.
 */
interface Lat {
  p50: number;
  p99: number;
  max: number;
  rps: number;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function startServer(mode: string): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'apiServer.ts'), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (c) => reject(new Error(`api bench server exited ${c}`)));
  });
  return { port, stop: () => child.kill() };
}

async function load(port: number, path: string, clients: number, perClient: number, thinkMs = 0): Promise<Lat> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const lat: number[] = [];
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          lat.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  // warm-up
  await Promise.all(Array.from({ length: clients }, () => one()));
  lat.length = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient; i++) {
        if (thinkMs) await new Promise((r) => setTimeout(r, thinkMs * (0.5 + Math.random())));
        await one();
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  return { p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat), rps: lat.length / secs };
}

export async function benchApi(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const clients = 200;
  const perClient = o.smoke ? 5 : 50;
  const result: Record<string, Lat> = {};
  // "polling": each client asks every ~100 ms (about 2,000 req/s offered: a fleet tool polling
  // 200 miners' worth); "saturated": each client asks again as soon as it has the reply.
  for (const [load_, think] of [['polling', 100], ['saturated', 0]] as const) {
    for (const [name, mode, path] of [
      ['baseline_node_http', 'baseline', '/'],
      ['kabosu_status', 'kabosu', '/api/v1/status'],
      ['kabosu_metrics', 'kabosu', '/metrics'],
      ['kabosu_healthz', 'kabosu', '/healthz'],
    ] as const) {
      const s = await startServer(mode);
      try {
        result[`${load_}_${name}`] = await load(s.port, path, clients, perClient, think);
      } finally {
        s.stop();
      }
    }
  }
  const baseOf = (k: string) => result[k.startsWith('polling') ? 'polling_baseline_node_http' : 'saturated_baseline_node_http'];
  const lines = Object.entries(result).map(
    ([k, v]) => `  ${k.padEnd(30)} p50 ${v.p50.toFixed(2)} ms  p99 ${v.p99.toFixed(2)} ms  max ${v.max.toFixed(1)} ms  ${v.rps.toFixed(0)} req/s  p99 ratio to baseline ${(v.p99 / baseOf(k).p99).toFixed(2)}`,
  );
  return {
    table: `HTTP API, ${clients} concurrent keep-alive clients x ${perClient} requests (client-side time; server in its own process)\n${lines.join('\n')}\n`,
    result: { clients, requestsPerClient: perClient, target_p99_ms: 5, ...result },
  };
}
