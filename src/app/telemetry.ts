/**
 * The MQTT telemetry publisher as a reloadable component (owner of the `telemetry` section): a
 * changed `telemetry.mqtt` (topic prefix, interval, broker URL, QoS, commands...) restarts the
 * publisher with the new settings; `enabled: false` stops it. The embedded broker's own settings
 * (`telemetry.mqtt.broker`) need a restart: it is a separate component that listens once.
 * mqtt.js loads only when telemetry is enabled (lazy require), as before.
 */
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import type { MinerControl } from '../core/minerApi';
import type { BrokerCredentials } from './brokerCredentials';
import type { Component, ReloadResult } from './component';

export class TelemetryReloadable implements Component<KabosuConfig> {
  readonly name = 'telemetry';
  readonly critical = false;
  readonly reloads = ['telemetry'] as const;
  private inner?: { start(): Promise<void>; stop(): Promise<void> };

  constructor(
    private config: KabosuConfig,
    private readonly control: MinerControl,
    private readonly log: Logger,
    /** Set when the embedded broker runs: the publisher logs in with the daemon's credential. */
    private readonly broker?: BrokerCredentials,
  ) {}

  async start(): Promise<void> {
    if (!this.config.telemetry.mqtt.enabled) return;
    const { TelemetryComponent } = require('../telemetry/component') as typeof import('../telemetry/component');
    const inner = new TelemetryComponent(this.config, this.control, this.log, this.broker);
    await inner.start();
    this.inner = inner;
  }

  async stop(): Promise<void> {
    const inner = this.inner;
    this.inner = undefined;
    await inner?.stop();
  }

  async reload(next: KabosuConfig): Promise<ReloadResult> {
    const a = this.config.telemetry.mqtt;
    const b = next.telemetry.mqtt;
    const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
    if (!same(a.broker, b.broker)) return { applied: false, needsRestart: 'telemetry.mqtt.broker (the embedded broker listens once)' };
    if (same(a, b)) {
      this.config = next;
      return { applied: true };
    }
    await this.stop();
    this.config = next;
    await this.start();
    this.log.info({ enabled: b.enabled, baseTopic: b.baseTopic, intervalS: b.intervalS }, b.enabled ? 'MQTT telemetry restarted with the new settings' : 'MQTT telemetry stopped (telemetry.mqtt.enabled is false)');
    return { applied: true };
  }
}
