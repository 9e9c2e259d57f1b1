import type { DaemonEvent, DaemonStatus } from '../../core/minerApi';

export type { DaemonEvent, DaemonStatus, ChipStatus, PoolStatus, ChainStatus } from '../../core/minerApi';

/** One problem the daemon found in a config (src/config/issues.ts ConfigIssue). */
export interface ConfigIssue {
  pointer: string;
  source: string;
  line?: number;
  column?: number;
  message: string;
  expected?: string;
  found?: string;
  hint?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly issues?: ConfigIssue[],
  ) {
    super(message);
  }
}

let csrf: string | null = null;
export const setCsrf = (t: string | null) => (csrf = t);

/** fetch JSON from the daemon; writes carry the session's CSRF token. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await r.text();
  const json = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ApiError(r.status, json?.code ?? 'KBS_E_HTTP', json?.error ?? `HTTP ${r.status}`, json?.hint, json?.issues);
  return json as T;
}

/** The same text `kabosu config validate` prints for an issue (src/config/issues.ts formatIssue). */
export function formatIssue(i: ConfigIssue): string {
  const where = i.line !== undefined ? `${i.source}:${i.line}:${i.column}` : i.source;
  const lines = [`${where} ${i.pointer || '/'}: ${i.message}`];
  if (i.expected !== undefined) lines.push(`    expected: ${i.expected}`);
  if (i.found !== undefined) lines.push(`    found:    ${i.found}`);
  if (i.hint !== undefined) lines.push(`    hint:     ${i.hint}`);
  return lines.join('\n');
}

export interface SessionInfo {
  setup_needed: boolean;
  logged_in: boolean;
  csrf: string | null;
  read_without_login: boolean;
}

/** The live view: the latest status snapshot and recent events from /api/v1/events/stream. */
export interface Live {
  status: DaemonStatus | null;
  events: DaemonEvent[];
  connected: boolean;
  /** performance.now() of the last status message. */
  at: number;
  /** Recent samples for the overview chart: [epoch s, chips H/s, rel_err, pool H/s]. */
  samples: [number, number, number, number | null][];
}

type Listener = (l: Live) => void;
const listeners = new Set<Listener>();
export const live: Live = { status: null, events: [], connected: false, at: 0, samples: [] };
let source: EventSource | null = null;
const MAX_SAMPLES = 600;

function publish(): void {
  for (const l of listeners) l(live);
}

export function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Opens the live stream (the first status arrives at once) and, alongside, loads recent events. */
export function startLive(): void {
  if (source) return;
  const es = new EventSource('/api/v1/events/stream');
  source = es;
  api<DaemonEvent[]>('GET', '/api/v1/events?limit=500').then(
    (old) => {
      const newest = old.length ? old[old.length - 1].at_ms : 0;
      live.events = [...old, ...live.events.filter((e) => e.at_ms > newest)];
      publish();
    },
    () => undefined,
  );
  es.addEventListener('status', (e) => {
    const s = JSON.parse((e as MessageEvent).data) as DaemonStatus | null;
    if (!s) return;
    live.status = s;
    live.connected = true;
    live.at = performance.now();
    const last = live.samples[live.samples.length - 1];
    const t = Math.floor(Date.now() / 1000);
    if (!last || last[0] !== t) {
      live.samples.push([t, s.hashrate.chips['1m'].hps, s.hashrate.chips['1m'].rel_err ?? 0, s.hashrate.pool_accepted?.hps ?? null]);
      if (live.samples.length > MAX_SAMPLES) live.samples.shift();
    }
    publish();
  });
  es.addEventListener('event', (e) => {
    live.events = [...live.events, JSON.parse((e as MessageEvent).data) as DaemonEvent].slice(-1000);
    publish();
  });
  es.onerror = () => {
    live.connected = false;
    // refused (not logged in): closed for good; a later startLive() (after login) opens a new one
    if (es.readyState === EventSource.CLOSED && source === es) source = null;
    publish();
  };
}

export function stopLive(): void {
  source?.close();
  source = null;
  live.connected = false;
}
