import type { Logger } from 'pino';
import type { Clock } from '../hal/types';
import { KabosuError } from '../core/errors';
import type { Component, ComponentState, ReloadResult } from './component';

export class StartError extends KabosuError {}

export interface ComponentStatus {
  name: string;
  critical: boolean;
  state: ComponentState;
  error?: string;
}

/**
 * Starts components in order and stops them in reverse (conventions 2.1.4): a non-critical
 * start failure marks that component degraded and the rest go on; a critical one aborts the
 * start and stops what already started. Each stop has a timeout so one stuck component cannot
 * keep the others (and the boards' power-off) waiting.
 */
export class Lifecycle<Cfg = unknown> {
  private readonly entries: { component: Component<Cfg>; state: ComponentState; error?: string }[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly stopTimeoutMs = 5_000,
  ) {}

  add(component: Component<Cfg>): void {
    this.entries.push({ component, state: 'idle' });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** The running components' declared reload sections (see Component.reloads). */
  reloadOwners(): Array<{ name: string; reloads: readonly string[] }> {
    return this.entries.filter((e) => e.state === 'running').map((e) => ({ name: e.component.name, reloads: e.component.reloads ?? [] }));
  }

  status(): ComponentStatus[] {
    return this.entries.map((e) => ({ name: e.component.name, critical: e.component.critical, state: e.state, ...(e.error ? { error: e.error } : {}) }));
  }

  async start(): Promise<void> {
    for (const entry of this.entries) {
      const { component } = entry;
      entry.state = 'starting';
      try {
        await component.start(this.abort.signal);
        entry.state = 'running';
        this.log.debug({ unit: component.name }, 'started');
      } catch (err) {
        entry.error = err instanceof Error ? err.message : String(err);
        if (component.critical) {
          entry.state = 'failed';
          this.log.error({ unit: component.name, err: entry.error }, 'critical component failed to start; stopping');
          await this.stop();
          throw new StartError('KBS_E_APP_START', `critical component '${component.name}' failed to start: ${entry.error}`, {
            hint: 'the hash boards stay powered off; fix the cause above and start again',
            cause: err,
          });
        }
        entry.state = 'degraded';
        this.log.warn({ unit: component.name, err: entry.error }, 'component failed to start; running degraded without it');
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort(new KabosuError('KBS_E_APP_STOPPING', 'daemon stopping', { canceled: true }));
    for (const entry of [...this.entries].reverse()) {
      if (entry.state === 'idle' || entry.state === 'stopped' || entry.state === 'failed') continue;
      entry.state = 'stopping';
      const timedOut = Symbol('timeout');
      let timer: { cancel(): void } | undefined;
      const deadline = new Promise<typeof timedOut>((resolve) => {
        timer = this.clock.setTimeout(() => resolve(timedOut), this.stopTimeoutMs);
      });
      try {
        const r = await Promise.race([entry.component.stop().then(() => undefined), deadline]);
        if (r === timedOut) this.log.error({ unit: entry.component.name, timeoutMs: this.stopTimeoutMs }, 'stop timed out');
      } catch (err) {
        this.log.error({ unit: entry.component.name, err: err instanceof Error ? err.message : String(err) }, 'stop failed');
      } finally {
        timer?.cancel();
      }
      entry.state = 'stopped';
    }
  }

  /**
   * Offers a new config to every running component that can reload (with `sections`: to the
   * running owners of a changed section only). Returns, per component, whether it applied it.
   */
  async reload(config: Cfg, sections?: readonly string[]): Promise<Record<string, ReloadResult>> {
    const out: Record<string, ReloadResult> = {};
    for (const entry of this.entries) {
      if (entry.state !== 'running' || !entry.component.reload) continue;
      // Given the changed sections, only their owners are asked.
      if (sections && !(entry.component.reloads ?? []).some((s) => sections.includes(s))) continue;
      try {
        out[entry.component.name] = await entry.component.reload(config);
      } catch (err) {
        out[entry.component.name] = { applied: false, needsRestart: err instanceof Error ? err.message : String(err) };
      }
    }
    return out;
  }
}
