import type { DaemonStatus, MinerControl } from '../../core/minerApi';
import { HttpApiError, type Route } from './server';
import { renderStatusMetrics } from './metrics';

/**
 * The HTTP API's routes over `MinerControl` (core/minerApi.ts): health probes, the read-only
 * `/api/v1/*` views, config GET (redacted) / PUT (validated, applied by hot reload), commands,
 * and `/metrics`. Reads are open on the LAN (like every miner's dashboard); writes need the token.
 */
export interface RouteDeps {
  control: MinerControl;
  /** prom-client's process_/nodejs_ metrics text (appended to /metrics). */
  processMetrics?: () => Promise<string>;
  meta?: () => { commit?: string; chipFamily?: string };
  history?: (query: URLSearchParams) => unknown;
  /** Monotonic ms for the /metrics cache (default performance.now). */
  now?: () => number;
  /** Largest bundle `POST /api/v1/ota` streams (ota.maxBundleBytes). */
  otaMaxBytes?: () => number;
}

/** `POST /api/v1/ota`: the upload as a size-limited byte stream (docs/http-api.md). */
async function* limitedBody(r: { stream?: AsyncIterable<Buffer> }, max: number): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const c of r.stream ?? []) {
    n += c.length;
    if (n > max) throw new HttpApiError(413, 'KBS_E_API_BODY_TOO_LARGE', `upload over ${max} bytes (ota.maxBundleBytes)`);
    yield c;
  }
}

function otaRoutes(d: RouteDeps): Route[] {
  const c = d.control;
  return [
    { method: 'GET', path: '/api/v1/ota', handler: () => ({ json: c.status().ota ?? null }) },
    {
      method: 'POST',
      path: '/api/v1/ota',
      raw: true,
      handler: async (r) => {
        if (!c.otaInstall) throw new HttpApiError(501, 'KBS_E_NOT_AVAILABLE', 'updates are not available in this build');
        if (r.contentType !== 'application/octet-stream') throw new HttpApiError(415, 'KBS_E_API_CONTENT_TYPE', 'send the bundle as application/octet-stream', 'curl --data-binary @bundle.kbota -H "content-type: application/octet-stream"');
        const max = d.otaMaxBytes?.() ?? 512 * 1024 * 1024;
        if (r.contentLength !== undefined && r.contentLength > max) throw new HttpApiError(413, 'KBS_E_API_BODY_TOO_LARGE', `upload of ${r.contentLength} bytes over ${max} (ota.maxBundleBytes)`);
        // The installer stops reading at the first problem; the rest of the upload is then read
        // and dropped here (size limit still applied) so the client gets the reason, not a reset.
        const body = limitedBody(r, max);
        const view: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: () => body.next(), return: async () => ({ done: true, value: undefined }) }) };
        try {
          return { json: { ok: true, result: await c.otaInstall(view, 'http', r.contentLength) } };
        } catch (err) {
          for await (const _ of body) void _;
          throw err;
        }
      },
    },
  ];
}

/** /metrics is rendered at most once per this many ms (scrapers poll every 10-60 s). */
export const METRICS_CACHE_MS = 1000;

/** Why the miner is not ready to take traffic from a load balancer / fleet tool, or none. */
export function readinessReasons(s: DaemonStatus): string[] {
  const reasons: string[] = [];
  if (s.state !== 'mining') reasons.push(`state is ${s.state}`);
  if (!s.pools.some((p) => p.active && p.state === 'ready')) reasons.push('no pool connected');
  const bad = s.components.filter((c) => c.state === 'failed' || (c.critical && c.state !== 'running'));
  for (const c of bad) reasons.push(`component ${c.name} is ${c.state}`);
  if (s.thermal?.boards.some((b) => b.state === 'tripped')) reasons.push('a board is powered off by the safety interlock');
  return reasons;
}

function limitParam(q: URLSearchParams, def: number, max: number): number {
  const raw = q.get('limit');
  if (raw === null) return def;
  if (!/^[0-9]{1,6}$/.test(raw)) throw new HttpApiError(400, 'KBS_E_API_BAD_QUERY', `limit must be an integer 0..${max}`);
  return Math.min(max, Number(raw));
}

function field<T>(body: unknown, name: string, check: (v: unknown) => v is T, what: string): T {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (!check(v)) throw new HttpApiError(400, 'KBS_E_API_BAD_BODY', `"${name}" must be ${what}`);
  return v;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const isNumOrNull = (v: unknown): v is number | null => v === null || isNum(v);
const isMode = (v: unknown): v is 'auto' | 'manual' | 'immersion' => v === 'auto' || v === 'manual' || v === 'immersion';

export function buildRoutes(d: RouteDeps): Route[] {
  const c = d.control;
  const ok = (result: unknown) => ({ json: { ok: true, result } });
  let metricsCache: { at: number; text: string } | undefined;
  return [
    { method: 'GET', path: '/healthz', handler: () => ({ json: { alive: true } }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: () => {
        const reasons = readinessReasons(c.status());
        return { status: reasons.length ? 503 : 200, json: { ready: reasons.length === 0, reasons } };
      },
    },
    { method: 'GET', path: '/api/v1/status', handler: () => ({ json: c.status() }) },
    { method: 'GET', path: '/api/v1/chains', handler: () => ({ json: c.status().chains }) },
    { method: 'GET', path: '/api/v1/chips', handler: () => ({ json: c.chips() }) },
    { method: 'GET', path: '/api/v1/pools', handler: () => ({ json: c.status().pools }) },
    { method: 'GET', path: '/api/v1/thermal', handler: () => ({ json: c.status().thermal ?? null }) },
    { method: 'GET', path: '/api/v1/power', handler: () => ({ json: c.status().power ?? null }) },
    { method: 'GET', path: '/api/v1/tuning', handler: async () => ({ json: { status: c.status().tuning ?? null, report: await c.tuningReport().catch(() => null) } }) },
    { method: 'GET', path: '/api/v1/events', handler: (r) => ({ json: c.recentEvents(limitParam(r.query, 100, 500)) }) },
    {
      method: 'GET',
      path: '/api/v1/history',
      handler: (r) => {
        if (!d.history) throw new HttpApiError(501, 'KBS_E_NOT_AVAILABLE', 'history is not available in this build');
        return { json: d.history(r.query) };
      },
    },
    { method: 'GET', path: '/api/v1/config', handler: () => ({ json: c.redactedConfig() }) },
    { method: 'PUT', path: '/api/v1/config', handler: async (r) => ok(await c.applyConfig(r.body)) },
    { method: 'POST', path: '/api/v1/commands/pause', handler: async () => ok(await c.pause('http')) },
    { method: 'POST', path: '/api/v1/commands/resume', handler: async () => ok(await c.resume()) },
    { method: 'POST', path: '/api/v1/commands/restart', handler: async () => ok(await c.restart()) },
    { method: 'POST', path: '/api/v1/commands/identify', handler: async (r) => ok(await c.identify(r.body === undefined ? 30 : field(r.body, 'seconds', isNum, 'a number'))) },
    { method: 'POST', path: '/api/v1/commands/diagnostics', handler: async () => ok(await c.runDiagnostics()) },
    { method: 'POST', path: '/api/v1/commands/power-target', handler: async (r) => ok(await c.setPowerTarget(field(r.body, 'watts', isNumOrNull, 'a number of watts or null'))) },
    {
      method: 'POST',
      path: '/api/v1/commands/fan-mode',
      handler: async (r) => {
        const mode = field(r.body, 'mode', isMode, '"auto", "manual" or "immersion"');
        const duty = (r.body as Record<string, unknown>).duty_pct;
        if (duty !== undefined && !isNum(duty)) throw new HttpApiError(400, 'KBS_E_API_BAD_BODY', '"duty_pct" must be a number');
        return ok(await c.setFanMode(mode, duty as number | undefined));
      },
    },
    { method: 'POST', path: '/api/v1/commands/switch-pool', handler: async (r) => ok(await c.switchPool(field(r.body, 'pool', isStr, 'a pool name'))) },
    ...otaRoutes(d),
    {
      method: 'GET',
      path: '/metrics',
      handler: async () => {
        const now = (d.now ?? (() => performance.now()))();
        if (!metricsCache || now - metricsCache.at >= METRICS_CACHE_MS) {
          const text = renderStatusMetrics(c.status(), d.meta?.() ?? {}) + (d.processMetrics ? await d.processMetrics() : '');
          metricsCache = { at: now, text };
        }
        return { text: metricsCache.text, contentType: 'text/plain; version=0.0.4; charset=utf-8' };
      },
    },
  ];
}
