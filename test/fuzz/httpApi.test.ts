import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import pino from 'pino';
import { HttpApiServer } from '../../src/api/http/server';
import { buildRoutes } from '../../src/api/http/routes';
import { DaemonControl } from '../../src/app/control';
import { validateConfigData } from '../../src/config';
import { devConfig } from '../../src/app/devConfig';
import type { DaemonStatus } from '../../src/core/minerApi';

/** Random methods, paths, queries and bodies: every reply is JSON or metrics text, never a 500. */
const cfg = validateConfigData(devConfig(), 'dev').config;
const status = {
  version: 't', uptime_s: 1, state: 'mining', device_id: 'd',
  hashboards: { backend: 'sim', model: 'l3plus', simulated: true, pow: 'scrypt-sim' },
  hashrate: { chips: { '5s': { hps: 1, rel_err: 0.1 }, '1m': { hps: 1, rel_err: 0.1 }, '15m': { hps: 1, rel_err: 0.1 }, total: { hps: 1, rel_err: 0.1 } }, pool_accepted: null },
  shares: { submitted: 0, accepted: 0, rejected: { 'weird"\n{label}': 2 }, not_submitted: {} },
  pools: [{ name: 'p"1', url: 'stratum+tcp://h:1', state: 'ready', active: true, difficulty: 1, latency_ms: 3, accepted: 1, rejected: 0 }],
  chains: [], components: [],
} as unknown as DaemonStatus;
const control = new DaemonControl({ status: () => status, config: () => cfg, setPowerTarget: async (w) => `target ${w}` });
const server = new HttpApiServer({ routes: buildRoutes({ control }), token: () => 'tok', log: pino({ level: 'silent' }) });
let base = '';

test.before(async () => {
  const a = await server.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${a.port}`;
});
test.after(() => server.close());

const PATHS = ['/healthz', '/readyz', '/metrics', '/api/v1/status', '/api/v1/events', '/api/v1/config', '/api/v1/commands/power-target', '/api/v1/commands/fan-mode', '/api/v1/commands/switch-pool', '/api/v1/history', '/x'];

test('no request shape makes the API answer 500 or non-JSON errors', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'),
        fc.constantFrom(...PATHS),
        fc.oneof(fc.constant(''), fc.string().map((s) => '?limit=' + encodeURIComponent(s))),
        fc.oneof(fc.constant(undefined), fc.json(), fc.string(), fc.jsonValue().map((v) => JSON.stringify({ watts: v, mode: v, pool: v }))),
        fc.boolean(),
        async (method, path, query, body, auth) => {
          const r = await fetch(base + path + query, {
            method,
            headers: { ...(auth ? { authorization: 'Bearer tok' } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            body: method === 'GET' ? undefined : body,
          });
          const text = await r.text();
          assert.ok(r.status < 500 || r.status === 501 || r.status === 503, `${method} ${path}${query} -> ${r.status} ${text}`);
          if (r.status >= 400) assert.type(JSON.parse(text).code, 'string');
        },
      ),
      { seed, numRuns: 400 },
    );
  } catch (e) {
    throw new Error(`FUZZ_SEED=${seed}: ${(e as Error).message}`);
  }
});

test('label values with quotes and newlines are escaped in /metrics', async () => {
  const text = await (await fetch(base + '/metrics')).text();
  assert.match(text, /pool="p\\"1"/);
  assert.match(text, /reason="other"/);
});

test.run();
