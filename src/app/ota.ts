import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import type { Component } from './component';
import type { DaemonControl } from './control';
import type { OtaStatus } from '../core/minerApi';
import { VERSION } from '../core/version';
import { KabosuError } from '../core/errors';
import {
  OtaError, ProgressThrottle, commit, compareVersions, downloadBundle, faultPoint, installBundle, judgeTrial, otaPaths, readState, rollback, runningVersion, writeState,
  RESTART_EXIT_CODE, type OtaPaths, type OtaState, type Progress, type RunSlot,
} from '../ota';
import { createReadStream } from 'node:fs';

/**
 * Updates in the daemon (docs/ota.md): installs bundles from an HTTP upload or a URL named by a
 * signed MQTT command into the inactive app slot, restarts into it through the launcher
 * (exit 75), and — when this process is the version on trial — commits it once it has proven
 * itself (src/ota/commitProof.ts) or rolls it back when the window closes without proof.
 * Progress, commits, rollbacks and refusals are events; `status.ota` says where things stand.
 */
export interface OtaComponentOptions {
  config: KabosuConfig;
  dataDir: string;
  control: DaemonControl;
  log: Logger;
  env: NodeJS.ProcessEnv;
  nowMs: () => number;
  /** Stop the daemon and exit with this code (the launcher starts the chosen slot again). */
  requestExit?: (code: number) => void;
}

export class OtaComponent implements Component<KabosuConfig> {
  readonly name = 'ota';
  readonly critical = false;
  private readonly paths: OtaPaths;
  private readonly slot: RunSlot;
  private state: OtaState;
  private phase: OtaStatus['state'] = 'idle';
  private progress: OtaStatus['progress'] = null;
  private lastError: OtaStatus['last_error'] = null;
  private refused = 0;
  private busy = false;
  private trialTimer?: NodeJS.Timeout;
  private trialStartMs = 0;
  private missing: string[] = [];
  private started = false;

  constructor(private readonly o: OtaComponentOptions) {
    this.paths = otaPaths(o.dataDir);
    const s = o.env.KABOSU_SLOT;
    this.slot = s === 'a' || s === 'b' ? s : 'factory';
    this.state = this.read();
    o.control.parts.otaInstall = (source, origin, bytes) => this.installFrom(source, origin, bytes);
    o.control.parts.otaInstallUrl = (url, sha256, origin) => this.installUrl(url, sha256, origin);
  }

  private read(): OtaState {
    try {
      return readState(this.paths, VERSION);
    } catch (err) {
      this.o.log.error({ err: (err as Error).message }, 'cannot read the OTA state');
      return readState(otaPaths('/nonexistent-kabosu'), VERSION);
    }
  }

  async start(): Promise<void> {
    const t = this.state.trial;
    const run = runningVersion(this.state, this.slot, VERSION);
    this.o.log.info({ slot: this.slot, version: run.version, committed: this.state.active, trial: t ? { slot: t.slot, triesLeft: t.triesLeft } : null }, 'running');
    if (this.state.last?.result === 'rolled_back' && this.state.last.atMs > this.o.nowMs() - 10 * 60_000 && t === undefined) {
      const l = this.state.last;
      this.raise('warning', 'ota_rolled_back', `update to ${l.version} rolled back: ${l.reason}`, { ...l });
    }
    if (t && t.slot === this.slot) {
      this.phase = 'trying';
      this.trialStartMs = this.o.nowMs();
      this.trialTimer = setInterval(() => this.checkTrial(), 1000);
      this.trialTimer.unref();
    }
    // Lifecycle start order: once start() returned the rest are starting; the check waits for them.
    setImmediate(() => (this.started = true));
  }

  async stop(): Promise<void> {
    if (this.trialTimer) clearInterval(this.trialTimer);
  }

  private checkTrial(): void {
    const t = this.state.trial;
    if (!t || t.slot !== this.slot) return;
    let status;
    try {
      status = this.o.control.status();
    } catch {
      return; // still starting
    }
    const started = this.started && status.components.every((c) => c.state !== 'idle' && c.state !== 'starting');
    const v = judgeTrial({ status, started, poolsConfigured: this.o.config.pools.length > 0 && this.o.config.mining.enabled, elapsedMs: this.o.nowMs() - this.trialStartMs, windowMs: this.o.config.ota.commitWindowS * 1000 });
    if (v.verdict === 'wait') {
      this.missing = v.missing;
      return;
    }
    clearInterval(this.trialTimer);
    this.trialTimer = undefined;
    const version = this.state.slots[t.slot]?.version ?? '?';
    if (v.verdict === 'commit') {
      faultPoint('commit');
      this.state = commit(this.state, v.reason, this.o.nowMs(), (a, b) => compareVersions(a, b) > 0);
      writeState(this.paths, this.state);
      this.phase = 'committed';
      this.raise('info', 'ota_committed', `update to ${version} committed in slot ${t.slot}: ${v.reason}`, { slot: t.slot, version, reason: v.reason });
    } else {
      this.state = rollback(this.state, v.reason, this.o.nowMs());
      writeState(this.paths, this.state);
      this.phase = 'rolled_back';
      this.raise('critical', 'ota_rolled_back', `update to ${version} rolled back: ${v.reason}`, { slot: t.slot, version, reason: v.reason });
      this.o.requestExit?.(RESTART_EXIT_CODE);
    }
  }

  private raise(severity: 'info' | 'warning' | 'critical', kind: string, message: string, data: Record<string, unknown>): void {
    this.o.control.raise({ at_ms: this.o.nowMs(), severity, source: 'ota', kind, message, data });
  }

  private guard(): void {
    if (!this.o.config.ota.enabled) throw new KabosuError('KBS_E_OTA_DISABLED', 'updates are disabled on this miner', { hint: 'set ota.enabled and ota.publicKeys in the config' });
    if (this.busy) throw new OtaError('busy', 'an update is already in progress', 'wait for it (status.ota)');
    if (this.state.trial && this.state.trial.slot === this.slot) throw new OtaError('busy', 'this version is on trial: an update waits until it is committed or rolled back', 'wait for the commit window (status.ota.trial)');
  }

  private onProgress(throttle: ProgressThrottle): (p: Progress & { phase: 'downloading' | 'writing' }) => void {
    return (p) => {
      this.phase = p.phase;
      this.progress = { phase: p.phase, percent: p.percent, bytes: p.bytes, total: p.total, eta_s: p.etaS };
      if (throttle.due(p)) {
        this.o.log.info({ phase: p.phase, percent: p.percent, bytes: p.bytes, total: p.total, etaS: p.etaS }, `update ${p.phase} ${p.percent}%`);
        this.raise('info', 'ota_progress', `${p.phase} ${p.percent}%`, { phase: p.phase, percent: p.percent, bytes: p.bytes, total: p.total, eta_s: p.etaS });
      }
    };
  }

  private async installFrom(source: AsyncIterable<Buffer>, origin: string, sourceBytes?: number): Promise<unknown> {
    this.guard();
    this.busy = true;
    try {
      return await this.install(source, origin, sourceBytes);
    } finally {
      this.busy = false;
    }
  }

  private async install(source: AsyncIterable<Buffer>, origin: string, sourceBytes?: number): Promise<unknown> {
    const throttle = new ProgressThrottle();
    this.raise('info', 'ota_started', `update from ${origin}`, { origin });
    try {
      const r = await installBundle({
        paths: this.paths, source, sourceBytes, running: this.slot, factoryVersion: VERSION, tries: this.o.config.ota.bootTries, nowMs: this.o.nowMs,
        device: { arch: process.arch, board: this.o.config.hashboards.model, maxBundleBytes: this.o.config.ota.maxBundleBytes, rootfsSlots: false },
        trustedKeys: this.o.config.ota.publicKeys, onProgress: this.onProgress(throttle),
      });
      this.state = r.state;
      this.progress = null;
      const underLauncher = this.slot !== 'factory' || this.o.env.KABOSU_SLOT === 'factory';
      this.phase = underLauncher ? 'restarting' : 'installed';
      this.raise('info', 'ota_installed', `version ${r.manifest.version} written to slot ${r.slot}${underLauncher ? ': restarting into it' : ': start the daemon with `kabosu launch` to run it'}`, { slot: r.slot, version: r.manifest.version, build_id: r.manifest.buildId, origin, signed_by: r.signedBy, new_keys: r.newKeys.length });
      // After the reply went out: stop cleanly (boards off) and let the launcher start the new slot.
      if (underLauncher) setTimeout(() => this.o.requestExit?.(RESTART_EXIT_CODE), 500).unref();
      return { slot: r.slot, version: r.manifest.version, build_id: r.manifest.buildId, restarting: underLauncher };
    } catch (err) {
      this.progress = null;
      this.phase = 'failed';
      const reason = err instanceof OtaError ? err.reason : err instanceof KabosuError ? err.code : 'internal';
      this.lastError = { reason, message: (err as Error).message, at_ms: this.o.nowMs() };
      this.refused++;
      this.raise('warning', 'ota_refused', `update refused: ${(err as Error).message}`, { reason, origin, refused_total: this.refused });
      throw err;
    }
  }

  private async installUrl(url: string, sha256: string, origin: string): Promise<unknown> {
    this.guard();
    this.busy = true;
    const throttle = new ProgressThrottle();
    const run = async (): Promise<void> => {
      try {
        const file = await downloadBundle({ url, sha256, dir: this.paths.download, maxBytes: this.o.config.ota.maxBundleBytes, nowMs: this.o.nowMs, onProgress: this.onProgress(throttle) });
        await this.install(createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>, origin, require('node:fs').statSync(file).size).finally(() => require('node:fs').rmSync(file, { force: true }));
      } catch (err) {
        if (this.phase !== 'failed') {
          const reason = err instanceof OtaError ? err.reason : 'download_failed';
          this.phase = 'failed';
          this.progress = null;
          this.lastError = { reason, message: (err as Error).message, at_ms: this.o.nowMs() };
          this.refused++;
          this.raise('warning', 'ota_refused', `update refused: ${(err as Error).message}`, { reason, origin, refused_total: this.refused });
        }
      } finally {
        this.busy = false;
      }
    };
    void run();
    return { accepted: true, url: url.replace(/\/\/[^/@]*@/, '//'), sha256 };
  }

  status(): OtaStatus {
    const t = this.state.trial;
    const run = runningVersion(this.state, this.slot, VERSION);
    const l = this.state.last;
    return {
      enabled: this.o.config.ota.enabled,
      version: run.version,
      build_id: run.buildId ?? null,
      slot: this.slot,
      committed_slot: this.state.active,
      min_version: this.state.minVersion,
      state: this.phase,
      progress: this.progress,
      trial: t ? { slot: t.slot, version: this.state.slots[t.slot]?.version ?? '?', tries_left: t.triesLeft, elapsed_s: t.slot === this.slot ? Math.round((this.o.nowMs() - this.trialStartMs) / 1000) : 0, window_s: this.o.config.ota.commitWindowS, missing: t.slot === this.slot ? this.missing : [] } : null,
      last: l ? { result: l.result, slot: l.slot, version: l.version, reason: l.reason, at_ms: l.atMs } : null,
      last_error: this.lastError,
      refused: this.refused,
    };
  }
}
