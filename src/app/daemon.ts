import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { RealClock } from '../hal/clock';
import type { Clock } from '../hal/types';
import { VERSION } from '../core/version';
import { KabosuError } from '../core/errors';
import { loadConfig, reloadLoader, ConfigWatcher, encryptSecret, loadDeviceKey, secretRedactPaths, sealIncomingSecrets, diffSections, readConfigFile, type KabosuConfig } from '../config';
import { parse as parseJsonc } from '../config/jsonc';
import { ConfigError } from '../core/errors';
import { removeStaleTemps, writeFileAtomic } from '../store';
import { createLogRoot, type LogRoot } from '../core/log';
import type { DestinationStream } from 'pino';
import { LocalControlServer } from '../api/local/server';
import { controlRoutes } from '../api/local/controlRoutes';
import { Lifecycle } from './lifecycle';
import { reloadOutcome } from './reloadOutcome';
import { isReloadable } from '../config/schema';
import type { Component } from './component';
import type { DaemonPaths } from './paths';
import type { DaemonStatus } from './status';
import { devConfig } from './devConfig';
import { buildComponents, type BuiltComponents } from './components';
import { boardsBackendFor } from '../boards';
import { DaemonControl, NotAvailableError } from './control';

export interface DaemonOptions {
  paths: DaemonPaths;
  /** `npm start`: create ./.kabosu/config.json from the embedded defaults on first run. */
  dev: boolean;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream;
}

/**
 * The running firmware: config, logging, the components built from the config, the local
 * control socket and config hot reload. `startDaemon` resolves once every component started
 * (non-critical ones may be degraded); a critical failure rejects with the boards left off.
 */
export class Daemon {
  private readonly startedAt: number;
  private watcher?: ConfigWatcher;
  private stopping?: Promise<void>;
  /** Set when a component asked the process to exit with a code (an OTA restart: 75). */
  requestedExitCode?: number;

  constructor(
    readonly paths: DaemonPaths,
    private config: KabosuConfig,
    private readonly logRoot: LogRoot,
    private readonly log: Logger,
    private readonly lifecycle: Lifecycle<KabosuConfig>,
    private readonly built: BuiltComponents,
    private readonly clock: Clock,
    /** The command surface and event bus every interface (MQTT, HTTP, :4028) uses. */
    readonly control: DaemonControl,
  ) {
    this.startedAt = clock.now();
  }

  /** One line for the journal and systemd's STATUS=: what runs, with or without hash boards. */
  summary(): string {
    return this.built.summary();
  }

  /** A child logger for a part that lives outside the components (e.g. the systemd notifier). */
  logFor(component: string): Logger {
    return this.logRoot.child(component);
  }

  get currentConfig(): KabosuConfig {
    return this.config;
  }

  watch(env: NodeJS.ProcessEnv): void {
    const watcher = new ConfigWatcher({
      configPath: this.paths.configPath,
      initial: this.config,
      clock: this.clock,
      log: this.logRoot.child('config'),
      load: reloadLoader({ configPath: this.paths.configPath, dataDir: this.paths.dataDir, env }),
    });
    this.watcher = watcher;
    watcher.on('changed', (ev) => void this.applyReload(ev.config, ev.sections));
    // The watcher itself logs a rejected change with its full report; the running config stays.
    watcher.start();
  }

  private async applyReload(next: KabosuConfig, sections: string[]): Promise<void> {
    this.config = next;
    this.logRoot.setLevels(next.logging.level, next.logging.levels);
    const results = await this.lifecycle.reload(next, sections);
    const owners = new Map(this.lifecycle.reloadOwners().map((o) => [o.name, o.reloads]));
    const o = reloadOutcome(sections, isReloadable, Object.entries(results).map(([name, result]) => ({ name, reloads: owners.get(name) ?? [], result })));
    // A section is reported applied only when its owner applied it; the rest say so.
    this.log.info(
      { sections, applied: o.applied, applied_by: o.appliedBy, needs_restart: [...o.notApplied, ...o.reasons], ...(o.notApplied.length ? { not_applied_until_restart: o.notApplied } : {}) },
      'config reloaded',
    );
    if (o.notApplied.length) this.log.warn({ sections: o.notApplied, reasons: o.reasons }, `config not applied until restart: ${o.notApplied.join(', ')}`);
  }

  /**
   * A whole new config from an API (HTTP PUT, MQTT): secrets sent back as "***" keep their stored
   * value, plain ones are encrypted; the result is validated exactly as a hand edit would be
   * (full report on error, nothing written), then written atomically. The config watcher applies
   * it through the same hot-reload path as any edit. Comments in the old file are not kept.
   */
  async applyConfig(next: unknown, env: NodeJS.ProcessEnv): Promise<{ sections: string[]; needs_restart: string[] }> {
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new ConfigError('KBS_E_CONFIG_NOT_OBJECT', 'the config must be a JSON object', { hint: 'send the document GET /api/v1/config returned, edited' });
    }
    const current: unknown = parseJsonc(readConfigFile(this.paths.configPath));
    const sealed = sealIncomingSecrets(next, current, () => loadDeviceKey(this.paths.dataDir, { create: true }));
    const text = JSON.stringify(sealed, null, 2) + '\n';
    const checked = reloadLoader({ configPath: this.paths.configPath, dataDir: this.paths.dataDir, env })(text);
    const diff = diffSections(this.config, checked.config);
    if (diff.sections.length > 0) await writeFileAtomic(this.paths.configPath, text, { mode: 0o600 });
    return { sections: diff.sections, needs_restart: diff.needsRestart };
  }

  status(): DaemonStatus {
    const now = this.clock.now();
    return this.built.status({
      version: VERSION,
      uptimeS: (now - this.startedAt) / 1000,
      deviceId: this.config.device.id,
      components: this.lifecycle.status(),
      nowMs: now,
    });
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        this.watcher?.stop();
        this.log.info('stopping');
        await this.lifecycle.stop();
        this.log.info('stopped');
        this.logRoot.logger.flush();
      })();
    }
    return this.stopping;
  }
}

export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const clock = o.clock ?? new RealClock();
  const { paths } = o;
  // A writer killed mid-write (an upload, `config set-secret`) leaves its temp file; the target
  // was never replaced and is the last good copy.
  const staleTemps = [...new Set([dirname(paths.configPath), paths.dataDir])].flatMap((d) => removeStaleTemps(d));
  if (o.dev && !existsSync(paths.configPath)) await writeDevConfig(paths);
  const loaded = await loadConfig({ configPath: paths.configPath, dataDir: paths.dataDir, env: o.env });
  const config = loaded.config;
  const logRoot = createLogRoot({ level: config.logging.level, levels: config.logging.levels, redactPaths: secretRedactPaths(), destination: o.logDestination });
  const log = logRoot.child('daemon');
  for (const w of loaded.warnings) log.warn({ warning: w }, 'config warning');
  if (staleTemps.length > 0) log.warn({ removed: staleTemps }, 'removed temp files of an interrupted write');
  log.info({ version: VERSION, config: paths.configPath, dataDir: paths.dataDir, device: config.device.id }, 'starting');

  const lifecycle = new Lifecycle<KabosuConfig>(logRoot.child('lifecycle'), clock);
  let daemon: Daemon | undefined;
  const controlSocket: Component<KabosuConfig> = (() => {
    const server = new LocalControlServer(
      paths.socketPath,
      {
        'GET /v1/ping': () => ({ ok: true }),
        'GET /v1/status': () => {
          if (!daemon) throw new KabosuError('KBS_E_APP_STARTING', 'the daemon is still starting');
          return daemon.status();
        },
        'POST /v1/diag': () => minerControl.runDiagnostics(),
        // the console (src/console) and other local clients: MinerControl over this socket
        ...controlRoutes({ control: () => minerControl, raise: (e) => minerControl.raise(e) }),
        'POST /v1/economics/apply': async () => {
          const apply = minerControl.parts.applyRecommendation;
          if (!apply) throw new NotAvailableError('economics', 'set economics.enabled in the config');
          return { message: await apply() };
        },
      },
      logRoot.child('control'),
    );
    return { name: 'control-socket', critical: true, start: () => server.start(), stop: () => server.stop() };
  })();
  lifecycle.add(controlSocket);
  const minerControl = new DaemonControl({
    status: () => {
      if (!daemon) throw new KabosuError('KBS_E_APP_STARTING', 'the daemon is still starting');
      return daemon.status();
    },
    config: () => daemon?.currentConfig ?? config,
    chips: () => built.chips(clock.now()),
    applyConfig: (next) => {
      if (!daemon) throw new KabosuError('KBS_E_APP_STARTING', 'the daemon is still starting');
      return daemon.applyConfig(next, o.env);
    },
  });
  // Every event an operator should know about also goes to the log (journal), by severity.
  const eventLog = logRoot.child('events');
  minerControl.events.on('event', (e) => {
    const level = e.severity === 'critical' ? 'error' : e.severity === 'warning' ? 'warn' : 'info';
    eventLog[level]({ source: e.source, kind: e.kind, ...(e.data ? { data: e.data } : {}) }, e.message);
  });
  const requestExit = (code: number): void => {
    if (daemon) daemon.requestedExitCode = code;
    log.info({ exitCode: code }, 'exit requested: stopping');
    process.kill(process.pid, 'SIGTERM'); // the same clean stop as systemctl stop (boards off)
  };
  // The hardware first (as zigbee2mqtt starts its adapter before its extensions): one value.
  const boards = await boardsBackendFor(config, { clock, log: logRoot.child('boards'), dataDir: paths.dataDir });
  const built = buildComponents({ config, clock, logRoot, dataDir: paths.dataDir, control: minerControl, boards, env: o.env, requestExit });
  for (const c of built.components) lifecycle.add(c);
  try {
    await lifecycle.start();
  } catch (err) {
    await boards.close(); // a critical failure before the boards component started
    throw err;
  }
  daemon = new Daemon(paths, config, logRoot, log, lifecycle, built, clock, minerControl);
  daemon.watch(o.env);
  log.info({ components: lifecycle.status().map((s) => `${s.name}:${s.state}`) }, built.summary());
  return daemon;
}

/**
 * First run of `npm start`: the embedded defaults, with the (placeholder) pool password
 * encrypted like any secret, written atomically.
 */
async function writeDevConfig(paths: DaemonPaths): Promise<void> {
  mkdirSync(dirname(paths.configPath), { recursive: true, mode: 0o700 });
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const cfg = devConfig() as { pools: { password?: string }[] };
  const key = loadDeviceKey(paths.dataDir, { create: true });
  for (const p of cfg.pools) if (p.password !== undefined) p.password = encryptSecret(p.password, key);
  await writeFileAtomic(paths.configPath, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
}
