import { KabosuError } from '../core/errors';
import { TypedEmitter } from '../core/events';
import type { ChipStatus, DaemonEvent, DaemonStatus, MinerControl, MinerEventBus, MinerEvents } from '../core/minerApi';
import { redactConfig, type KabosuConfig } from '../config';

/**
 * The daemon's `MinerControl` (core/minerApi.ts): the one command surface MQTT, HTTP, :4028 and
 * the console call. Each command is delegated to the component that owns the part; a command
 * whose part this build or config lacks rejects with KBS_E_NOT_AVAILABLE and says so.
 */
export class NotAvailableError extends KabosuError {
  constructor(what: string, hint = 'this build does not have that part yet') {
    super('KBS_E_NOT_AVAILABLE', `${what} is not available`, { hint });
  }
}

/** What each component may plug in; unset parts answer NOT_AVAILABLE. */
export interface ControlParts {
  status(): DaemonStatus;
  config(): KabosuConfig;
  chips?(): ChipStatus[];
  pause?(reason: string): Promise<string>;
  resume?(): Promise<string>;
  restart?(): Promise<string>;
  setPowerTarget?(watts: number | null): Promise<string>;
  setFanMode?(mode: 'auto' | 'manual' | 'immersion', dutyPct?: number): Promise<string>;
  identify?(seconds: number): Promise<string>;
  runDiagnostics?(): Promise<unknown>;
  switchPool?(name: string): Promise<string>;
  enablePool?(name: string): Promise<string>;
  disablePool?(name: string): Promise<string>;
  addPool?(p: { url: string; user: string; password?: string }): Promise<string>;
  removePool?(name: string): Promise<string>;
  poolPriority?(names: string[]): Promise<string>;
  applyConfig?(next: unknown): Promise<{ sections: string[]; needs_restart: string[] }>;
  tuningReport?(): Promise<unknown>;
  otaInstall?(source: AsyncIterable<Buffer>, origin: string, bytes?: number): Promise<unknown>;
  otaInstallUrl?(url: string, sha256: string, origin: string): Promise<unknown>;
  /** Economics: apply the margin-maximising operating point now (src/app/economics.ts). */
  applyRecommendation?(): Promise<string>;
}

const EVENT_HISTORY = 500;

export class DaemonControl implements MinerControl {
  readonly events: MinerEventBus = new TypedEmitter<MinerEvents>((_e, err) => {
    // A broken consumer (e.g. a telemetry publisher) must not stop the producer (thermal, health).
    this.consumerErrors++;
    this.lastConsumerError = err instanceof Error ? err.message : String(err);
  });
  consumerErrors = 0;
  lastConsumerError?: string;
  private readonly history: DaemonEvent[] = [];

  constructor(readonly parts: ControlParts) {
    this.events.on('event', (e) => {
      this.history.push(e);
      if (this.history.length > EVENT_HISTORY) this.history.splice(0, this.history.length - EVENT_HISTORY);
    });
  }

  /** Producers call this; it records and forwards the event. */
  raise(e: DaemonEvent): void {
    this.events.emit('event', e);
  }

  status(): DaemonStatus {
    return this.parts.status();
  }
  recentEvents(limit = 100): DaemonEvent[] {
    return this.history.slice(-Math.max(0, limit));
  }
  chips(): ChipStatus[] {
    return this.parts.chips ? this.parts.chips() : [];
  }
  redactedConfig(): unknown {
    return redactConfig(this.parts.config());
  }
  pause(reason: string): Promise<string> {
    return this.call('pause', 'pausing', (p) => p.pause?.(reason));
  }
  resume(): Promise<string> {
    return this.call('resume', 'resuming', (p) => p.resume?.());
  }
  restart(): Promise<string> {
    return this.call('restart', 'restarting the mining pipeline', (p) => p.restart?.());
  }
  setPowerTarget(watts: number | null): Promise<string> {
    return this.call('setPowerTarget', 'a power target', (p) => p.setPowerTarget?.(watts));
  }
  setFanMode(mode: 'auto' | 'manual' | 'immersion', dutyPct?: number): Promise<string> {
    return this.call('setFanMode', 'fan control', (p) => p.setFanMode?.(mode, dutyPct));
  }
  identify(seconds: number): Promise<string> {
    return this.call('identify', 'identify (LED blink)', (p) => p.identify?.(seconds));
  }
  runDiagnostics(): Promise<unknown> {
    return this.call('runDiagnostics', 'diagnostics', (p) => p.runDiagnostics?.());
  }
  switchPool(name: string): Promise<string> {
    return this.call('switchPool', 'pool switching', (p) => p.switchPool?.(name));
  }
  enablePool(name: string): Promise<string> {
    return this.call('enablePool', 'enabling a pool', (p) => p.enablePool?.(name));
  }
  disablePool(name: string): Promise<string> {
    return this.call('disablePool', 'disabling a pool', (p) => p.disablePool?.(name));
  }
  addPool(pool: { url: string; user: string; password?: string }): Promise<string> {
    return this.call('addPool', 'adding a pool', (p) => p.addPool?.(pool));
  }
  removePool(name: string): Promise<string> {
    return this.call('removePool', 'removing a pool', (p) => p.removePool?.(name));
  }
  poolPriority(names: string[]): Promise<string> {
    return this.call('poolPriority', 'pool priorities', (p) => p.poolPriority?.(names));
  }
  applyConfig(next: unknown): Promise<{ sections: string[]; needs_restart: string[] }> {
    return this.call('applyConfig', 'applying a config', (p) => p.applyConfig?.(next));
  }

  tuningReport(): Promise<unknown> {
    return this.call('tuningReport', 'the tuning report', (p) => p.tuningReport?.());
  }

  otaInstall(source: AsyncIterable<Buffer>, origin: string, bytes?: number): Promise<unknown> {
    return this.call('otaInstall', 'updates', (p) => p.otaInstall?.(source, origin, bytes));
  }
  otaInstallUrl(url: string, sha256: string, origin: string): Promise<unknown> {
    return this.call('otaInstallUrl', 'updates', (p) => p.otaInstallUrl?.(url, sha256, origin));
  }

  private async call<T>(name: keyof ControlParts, what: string, f: (p: ControlParts) => Promise<T> | undefined): Promise<T> {
    if (typeof this.parts[name] !== 'function') throw new NotAvailableError(what);
    return (await f(this.parts)) as T;
  }
}
