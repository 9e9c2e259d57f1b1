/**
 * The MQTT publisher: the only module that imports `mqtt`. Status retained with LWT `offline`,
 * telemetry every intervalS, chains, pools, events; commands on cmd/<name> answered on the
 * MQTT 5 response topic (with correlation data) or reply/<name>. Telemetry published while the
 * broker is away goes to a bounded OfflineQueue and is flushed in order on reconnect.
 */
import * as mqtt from 'mqtt';
import { readFileSync } from 'fs';
import type { KeyObject } from 'crypto';
import type { Logger } from 'pino';
import type { DaemonEvent, MinerControl } from '../../core/minerApi';
import { API_VERSION, topics, type Topics } from './topics';
import { chainPayload, eventPayload, poolsPayload, telemetryPayload } from './payloads';
import { authorise, ed25519Key, execute, parseCommand, replyPayload, ReplayGuard, type AuthPolicy } from './commands';
import { OfflineQueue } from './offlineQueue';
import { discoveryMessages } from '../ha/discovery';

export interface MqttPublisherOptions {
  url: string;
  username?: string;
  password?: string;
  tls?: { ca?: string; cert?: string; key?: string };
  baseTopic: string;
  deviceId: string;
  deviceName: string;
  intervalS: number;
  qos: 0 | 1 | 2;
  commands: string[];
  publicKeys?: string[];
  maxSkewS?: number;
  offlineQueue?: number;
  haDiscovery?: boolean;
  now?: () => number;
  reconnectMs?: number;
  /** 5 (default) or 4 (3.1.1: no response topic, no message expiry; aedes only speaks 3.1.1). */
  protocolVersion?: 4 | 5;
  /** False: no own timer; the caller calls publishTelemetry() (fleet bench spreads ticks). */
  autoTick?: boolean;
}

export interface PublisherStats { published: number; bytes: number; queued: number; dropped: number; commands: number; refused: number }

export class MqttPublisher {
  readonly t: Topics;
  private client: mqtt.MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly queue: OfflineQueue;
  private readonly keys: KeyObject[];
  private readonly guard: ReplayGuard;
  private readonly policy: AuthPolicy;
  private readonly now: () => number;
  readonly stats: PublisherStats = { published: 0, bytes: 0, queued: 0, dropped: 0, commands: 0, refused: 0 };
  private readonly onEvent = (e: DaemonEvent): void => { this.send(this.t.events, JSON.stringify(eventPayload(e)), 1, false, true); };

  constructor(private readonly o: MqttPublisherOptions, private readonly control: MinerControl, private readonly log?: Logger) {
    this.t = topics(o.baseTopic, o.deviceId);
    this.queue = new OfflineQueue(o.offlineQueue ?? 1000);
    this.keys = (o.publicKeys ?? []).map(ed25519Key);
    this.policy = { allow: o.commands, publicKeys: o.publicKeys ?? [], maxSkewMs: (o.maxSkewS ?? 60) * 1000 };
    this.guard = new ReplayGuard(this.policy.maxSkewMs);
    this.now = o.now ?? Date.now;
  }

  start(): void {
    const tls = this.o.tls ?? {};
    const c = mqtt.connect(this.o.url, {
      protocolVersion: this.o.protocolVersion ?? 5,
      clientId: `kabosu-${this.o.deviceId}`,
      username: this.o.username,
      password: this.o.password,
      ca: tls.ca ? readFileSync(tls.ca) : undefined,
      cert: tls.cert ? readFileSync(tls.cert) : undefined,
      key: tls.key ? readFileSync(tls.key) : undefined,
      will: { topic: this.t.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      reconnectPeriod: this.o.reconnectMs ?? 2000,
      queueQoSZero: false,
      clean: true,
    });
    this.client = c;
    c.on('connect', () => this.onConnect());
    c.on('message', (topic, payload, packet) => { void this.onMessage(topic, payload, packet as mqtt.IPublishPacket); });
    c.on('error', (e) => this.log?.warn({ err: e.message }, 'mqtt error'));
    this.control.events.on('event', this.onEvent, this);
    if (this.o.autoTick !== false) {
      this.timer = setInterval(() => this.publishTelemetry(), this.o.intervalS * 1000);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.control.events.off(this);
    const c = this.client;
    this.client = null;
    if (!c) return;
    if (c.connected) await new Promise<void>((res) => c.publish(this.t.status, 'offline', { qos: 1, retain: true }, () => res()));
    await new Promise<void>((res) => c.end(false, {}, () => res()));
  }

  get connected(): boolean { return this.client?.connected ?? false; }

  private onConnect(): void {
    const c = this.client!;
    this.log?.info({ url: this.o.url.replace(/\/\/[^/@]*@/, '//') }, 'mqtt connected');
    c.publish(this.t.status, 'online', { qos: 1, retain: true });
    c.subscribe(this.t.cmdFilter, { qos: 1 });
    if (this.o.haDiscovery !== false) {
      for (const m of discoveryMessages({ deviceId: this.o.deviceId, name: this.o.deviceName, t: this.t, status: this.control.status() })) {
        this.send(m.topic, m.payload, 1, true, false);
      }
    }
    for (const m of this.queue.drain()) this.send(m.topic, m.payload, m.qos, m.retain, false);
    this.publishTelemetry();
  }

  /** Publishes the summary, per-chain detail and pools now (also called every intervalS). */
  publishTelemetry(): void {
    const s = this.control.status();
    const now = this.now();
    const exp = this.o.protocolVersion === 4 ? {} : { properties: { messageExpiryInterval: this.o.intervalS * 3 } };
    this.send(this.t.telemetry, JSON.stringify(telemetryPayload(s, now)), this.o.qos, true, true, exp);
    for (const ch of s.chains) this.send(this.t.chain(ch.index), JSON.stringify(chainPayload(ch, now)), this.o.qos, true, true, exp);
    this.send(this.t.pools, JSON.stringify(poolsPayload(s.pools, now, s.uptime_s)), 1, true, true);
    if (s.ota) this.send(this.t.ota, JSON.stringify({ v: API_VERSION, ts: now, ...s.ota }), 1, true, true);
  }

  private send(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean, queueIfOffline: boolean, extra: Partial<mqtt.IClientPublishOptions> = {}): void {
    const c = this.client;
    if (!c || !c.connected) {
      if (queueIfOffline) { this.queue.push({ topic, payload, qos, retain }); this.stats.queued = this.queue.length; this.stats.dropped = this.queue.dropped; }
      return;
    }
    this.stats.published++;
    this.stats.bytes += topic.length + payload.length;
    c.publish(topic, payload, { qos, retain, ...extra });
  }

  private async onMessage(topic: string, payload: Buffer, packet: mqtt.IPublishPacket): Promise<void> {
    if (!topic.startsWith(this.t.cmdPrefix)) return;
    const name = topic.slice(this.t.cmdPrefix.length);
    const props = packet.properties ?? {};
    let tx: string | number | undefined;
    let body: Record<string, unknown>;
    this.stats.commands++;
    try {
      const p = parseCommand(name, payload);
      tx = p.transaction;
      authorise(p, this.policy, this.keys, this.guard, this.now());
      body = replyPayload({ ok: true, data: await execute(p.cmd, this.control) }, tx);
      this.log?.info({ command: name }, 'mqtt command done');
    } catch (err) {
      this.stats.refused++;
      body = replyPayload({ ok: false, err }, tx);
      this.log?.warn({ command: name.slice(0, 64), code: body.code }, 'mqtt command refused');
    }
    const c = this.client;
    if (!c) return;
    const rt = typeof props.responseTopic === 'string' && !/[#+]/.test(props.responseTopic) ? props.responseTopic : this.t.reply(name.replace(/[#+/]/g, '_').slice(0, 64) || '_');
    c.publish(rt, JSON.stringify(body), { qos: 1, retain: false, properties: props.correlationData ? { correlationData: props.correlationData } : {} });
  }
}
