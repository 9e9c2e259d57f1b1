import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KabosuConfig } from '../config';
import type { MinerControl } from '../core/minerApi';
import { HttpApiServer } from '../api/http/server';
import { buildRoutes } from '../api/http/routes';
import type { Component, ReloadResult } from './component';
import { WebUi, type UiFiles } from '../api/http/web/webUi';
import { AdminPasswordStore } from '../auth/adminPassword';
import { EMBEDDED_UI } from '../ui/embedded';

/** The web UI's files: embedded in the bundle/binary, else built from src/ui by esbuild once. */
async function uiFiles(): Promise<UiFiles> {
  if (EMBEDDED_UI) return EMBEDDED_UI;
  // A real import() of the .mjs (tsx would turn a literal import() into require, which cannot load ESM on Node 20).
  const importEsm = new Function('p', 'return import(p)') as (p: string) => Promise<{ buildUi: () => Promise<{ files: UiFiles }> }>;
  const mod = await importEsm(require('node:path').join(__dirname, '../../tools/build/ui.mjs'));
  return (await mod.buildUi()).files;
}

/** The HTTP API (api/http) as a daemon component: listens on api.http.host:port. */
export class HttpApiComponent implements Component<KabosuConfig> {
  readonly name = 'http-api';
  readonly reloads = ['api'] as const;
  readonly critical = false;
  private server?: HttpApiServer;
  private registry?: Registry;
  private web?: WebUi;
  port?: number;

  constructor(
    private config: KabosuConfig,
    private readonly control: MinerControl,
    private readonly log: Logger,
    private readonly meta: () => { commit?: string; chipFamily?: string },
    private readonly history?: (q: URLSearchParams) => unknown,
    /** The data dir (the admin password file); none: no web UI. */
    private readonly dataDir?: string,
  ) {}

  async start(): Promise<void> {
    const h = this.config.api.http;
    if (!h.enabled) return;
    // prom-client (process_/nodejs_ metrics) only when the API runs.
    const prom = require('prom-client') as typeof import('prom-client');
    const registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: registry });
    this.registry = registry;
    const web = this.dataDir
      ? new WebUi({ control: this.control, passwords: new AdminPasswordStore(this.dataDir), ui: () => this.config.api.http.ui, files: uiFiles })
      : undefined;
    this.web = web;
    this.server = new HttpApiServer({
      routes: [
        ...buildRoutes({ control: this.control, processMetrics: async () => dropFamilies(await registry.metrics(), LINT_FAILING), meta: this.meta, history: this.history, otaMaxBytes: () => this.config.ota.maxBundleBytes }),
        ...(web?.routes() ?? []),
      ],
      token: () => this.config.api.http.token,
      log: this.log,
      pre: web?.pre,
      authorizeWrite: web?.auth.authorizeWrite,
    });
    const addr = await this.server.listen(h.host, h.port);
    this.port = addr.port;
    this.log.info({ host: h.host, port: addr.port, writes: h.token ? 'token' : 'disabled (no api.http.token)' }, 'HTTP API listening');
  }

  reload(next: KabosuConfig): ReloadResult {
    const a = this.config.api.http;
    const b = next.api.http;
    this.config = next; // the token is read per request
    if (a.enabled !== b.enabled || a.host !== b.host || a.port !== b.port) return { applied: false, needsRestart: 'api.http listen address/enabled' };
    return { applied: true };
  }

  async stop(): Promise<void> {
    this.web?.close();
    await this.server?.close();
    this.registry?.clear();
  }
}

/**
 * prom-client's default `nodejs_active_*_total` are gauges with a counter's suffix, which
 * promtool (and Prometheus naming rules) reject; they are left out of /metrics.
 */
const LINT_FAILING = new Set(['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']);

export function dropFamilies(text: string, names: Set<string>): string {
  return text
    .split('\n')
    .filter((line) => {
      const name = line.startsWith('# ') ? line.split(' ')[2] : line.split(/[{ ]/)[0];
      return !names.has(name);
    })
    .join('\n');
}
