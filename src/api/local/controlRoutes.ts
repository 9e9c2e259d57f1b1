import type { IncomingMessage } from 'node:http';
import { KabosuError } from '../../core/errors';
import type { DaemonEvent, MinerControl } from '../../core/minerApi';
import type { LocalRoute } from './server';

/**
 * `MinerControl` on the local control socket, for local clients (the serial/local console,
 * src/console): the read views, the recent events (`?since=` for follow mode), the redacted
 * config, the operator commands, and one write into the event log for the console's audit
 * records (source `console`, kinds `console_*` only). Only the daemon's user reaches the socket
 * (mode 0600). Fan modes are `auto`/`manual` only: immersion (which relaxes the fans-stopped
 * interlock rule) stays an explicit config edit.
 */
export interface ControlRouteDeps {
  control: () => MinerControl;
  raise: (e: DaemonEvent) => void;
}

const SEVERITIES = new Set(['info', 'warning', 'critical']);

function query(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://local').searchParams;
}

function intParam(q: URLSearchParams, name: string, def: number, max: number): number {
  const raw = q.get(name);
  if (raw === null) return def;
  if (!/^[0-9]{1,15}$/.test(raw)) throw new KabosuError('KBS_E_API_BAD_QUERY', `${name} must be a non-negative integer`);
  return Math.min(max, Number(raw));
}

function obj(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function controlRoutes(d: ControlRouteDeps): Record<string, LocalRoute> {
  const c = d.control;
  return {
    'GET /v1/chips': () => c().chips(),
    'GET /v1/events': (req) => {
      const q = query(req);
      const since = intParam(q, 'since', 0, Number.MAX_SAFE_INTEGER);
      return c()
        .recentEvents(500)
        .filter((e) => e.at_ms > since)
        .slice(-intParam(q, 'limit', 100, 500));
    },
    'POST /v1/events': (_req, body) => {
      const b = obj(body);
      const kind = typeof b.kind === 'string' ? b.kind : '';
      if (!/^console_[a-z_]{1,40}$/.test(kind)) throw new KabosuError('KBS_E_API_BAD_BODY', 'kind must be console_<name>');
      const message = typeof b.message === 'string' ? b.message.slice(0, 300) : '';
      const severity = typeof b.severity === 'string' && SEVERITIES.has(b.severity) ? (b.severity as DaemonEvent['severity']) : 'info';
      const data = obj(b.data);
      d.raise({ at_ms: Date.now(), severity, source: 'console', kind, message, ...(Object.keys(data).length ? { data } : {}) });
      return { ok: true };
    },
    'GET /v1/config': () => c().redactedConfig(),
    'POST /v1/commands/pause': async (_req, body) => ({ result: await c().pause(typeof obj(body).reason === 'string' ? String(obj(body).reason).slice(0, 80) : 'local') }),
    'POST /v1/commands/resume': async () => ({ result: await c().resume() }),
    'POST /v1/commands/restart': async () => ({ result: await c().restart() }),
    'POST /v1/commands/identify': async (_req, body) => {
      const s = obj(body).seconds ?? 30;
      if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0 || s > 600) throw new KabosuError('KBS_E_API_BAD_BODY', 'seconds must be 1..600');
      return { result: await c().identify(s) };
    },
    'POST /v1/commands/fan-mode': async (_req, body) => {
      const b = obj(body);
      if (b.mode !== 'auto' && b.mode !== 'manual') throw new KabosuError('KBS_E_API_BAD_BODY', 'mode must be "auto" or "manual"', { hint: 'immersion mode is set in the config (thermal.mode)' });
      if (b.duty_pct !== undefined && typeof b.duty_pct !== 'number') throw new KabosuError('KBS_E_API_BAD_BODY', 'duty_pct must be a number');
      return { result: await c().setFanMode(b.mode, b.duty_pct as number | undefined) };
    },
  };
}
