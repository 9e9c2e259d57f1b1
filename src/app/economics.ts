/**
 * The economics component (src/economics, issue #22): runs the engine every `intervalS`, feeds it
 * market payloads (HTTP sources polled, MQTT topics subscribed), the wall meter, a live tariff
 * price and a power setpoint, and carries out its actions through the daemon's owners: pause and
 * resume (the mining pipeline), setPowerTarget (the tuner). It never powers a board itself; the
 * thermal interlock and health keep their locks whatever it asks. Never critical: a broken price
 * feed degrades the report, never the miner.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import type { EconomicsStatus } from '../core/minerApi';
import type { Clock, TimerHandle } from '../hal/types';
import { readJson, writeJson } from '../store';
import { EconomicsEngine, type EconomicsAction, type EconomicsConfig } from '../economics/engine';
import { tunerCurve } from '../economics/curve';
import { fetchText } from '../economics/httpSource';
import { parseLedger } from '../economics/ledger';
import { parseMarketPayload, type MarketField } from '../economics/market';
import { parseSetpoint } from '../economics/policy';
import { parseMeterPayload } from '../economics/powerTruth';
import type { CurvePoint } from '../economics/recommend';
import { parseLivePrice } from '../economics/tariff';
import type { Autotuner } from '../tuning/autotuner';
import type { Component, ReloadResult } from './component';
import { NotAvailableError, type DaemonControl } from './control';

export const LEDGER_FILE = 'economics.json';
const SAVE_EVERY_MS = 15 * 60_000;
const CURVE_EVERY_MS = 10 * 60_000;

type MqttClient = import('mqtt').MqttClient;

export class EconomicsComponent implements Component<KabosuConfig> {
  readonly name = 'economics';
  readonly critical = false;
  readonly reloads = ['economics'] as const;
  engine?: EconomicsEngine;
  private timers: TimerHandle[] = [];
  private mqtt?: MqttClient;
  private lastSaveMs = -Infinity;
  private curve: { atMs: number; points: CurvePoint[] } = { atMs: -Infinity, points: [] };
  private busy = false;
  private cfg: EconomicsConfig;

  constructor(
    private readonly o: {
      config: KabosuConfig;
      clock: Clock;
      log: Logger;
      dataDir: string;
      control: DaemonControl;
      tuner: () => { tuner: Autotuner; published: { hashrateHps: number; wallPowerW: number } } | undefined;
      wallNow?: () => number;
    },
  ) {
    this.cfg = o.config.economics;
    o.control.parts.applyRecommendation = async () => {
      if (!this.engine) throw new NotAvailableError('economics', 'set economics.enabled in the config');
      const msg = this.engine.applyRecommendation();
      this.o.log.info(msg);
      return msg;
    };
  }

  private epoch(): number {
    return (this.o.wallNow ?? Date.now)();
  }

  async start(): Promise<void> {
    if (!this.cfg.enabled) return;
    const saved = readJson<unknown>(join(this.o.dataDir, LEDGER_FILE));
    const ledger = saved ? parseLedger(saved.data) : undefined;
    if (ledger?.problem) this.o.log.warn({ problem: ledger.problem }, 'economics ledger partly unreadable; kept the rest');
    this.engine = new EconomicsEngine(this.cfg, ledger);
    this.engine.placeholder(this.o.clock.now(), this.epoch());
    this.startInputs();
    this.timers.push(this.o.clock.setInterval(() => void this.tick(), this.cfg.intervalS * 1000));
    this.o.log.info({ tariff: this.cfg.tariff.kind, sources: this.cfg.market.sources.map((s) => `${s.kind}:${s.name}`), curtail: this.cfg.curtail.enabled }, 'economics started');
  }

  status(): EconomicsStatus | undefined {
    return this.engine?.report;
  }

  private startInputs(): void {
    const c = this.cfg;
    for (const src of c.market.sources) {
      if (src.kind !== 'http' || !src.url) continue;
      const poll = async () => {
        const at = this.o.clock.now();
        try {
          const r = parseMarketPayload(await fetchText(src.url!, src.timeoutS * 1000), src.fields as Partial<Record<MarketField, string>>);
          this.engine?.market.put(`http:${src.name}`, at, r.values, r.problems);
          if (r.problems.length) this.o.log.warn({ source: src.name, problems: r.problems }, 'market source gave unusable fields');
        } catch (err) {
          this.engine?.market.fail(`http:${src.name}`, at, (err as Error).message);
          this.o.log.warn({ source: src.name, err: (err as Error).message }, 'market source unreachable; the report uses what it has');
        }
      };
      void poll();
      this.timers.push(this.o.clock.setInterval(() => void poll(), src.refreshS * 1000));
    }
    const topics = new Map<string, (text: string) => void>();
    for (const src of c.market.sources) {
      if (src.kind !== 'mqtt' || !src.topic) continue;
      topics.set(src.topic, (text) => {
        const r = parseMarketPayload(text, src.fields as Partial<Record<MarketField, string>>);
        this.engine?.market.put(`mqtt:${src.name}`, this.o.clock.now(), r.values, r.problems);
      });
    }
    const reading = (what: string, parse: (t: string) => number | null, put: (v: number) => void) => (text: string) => {
      const v = parse(text);
      if (v === null) this.o.log.warn({ what, payload: text.slice(0, 80) }, 'unusable MQTT reading ignored');
      else put(v);
    };
    if (c.wallMeter.topic) topics.set(c.wallMeter.topic, reading('wall meter', parseMeterPayload, (w) => this.engine?.meterReading(w, this.o.clock.now())));
    if (c.tariff.kind === 'live' && c.tariff.topic) topics.set(c.tariff.topic, reading('live price', parseLivePrice, (p) => this.engine?.livePriceReading(p, this.o.clock.now())));
    if (c.powerTarget.topic) {
      topics.set(c.powerTarget.topic, (text) => {
        const sp = parseSetpoint(text);
        if (!sp) this.o.log.warn({ payload: text.slice(0, 80) }, 'power setpoint ignored: give watts (50-20000) or null');
        else this.engine?.setpointReading(sp.watts, this.o.clock.now());
      });
    }
    if (topics.size === 0) return;
    const mq = this.o.config.telemetry.mqtt;
    const mqtt = require('mqtt') as typeof import('mqtt');
    const client = mqtt.connect(c.mqttUrl ?? mq.url, { username: mq.username, password: mq.password, reconnectPeriod: 2000, clientId: `kabosu-econ-${process.pid}-${Math.random().toString(16).slice(2, 8)}` });
    this.mqtt = client;
    client.on('connect', () => client.subscribe([...topics.keys()], { qos: 1 }));
    client.on('message', (topic, payload) => topics.get(topic)?.(payload.toString('utf8')));
    client.on('error', (err) => this.o.log.warn({ err: err.message }, 'economics MQTT error; retrying'));
  }

  private curvePoints(nowMs: number): CurvePoint[] {
    if (nowMs - this.curve.atMs < CURVE_EVERY_MS && this.curve.points.length) return this.curve.points;
    const t = this.o.tuner();
    const points = t ? tunerCurve(t.tuner, t.published, { idleW: this.cfg.idleW }) : [];
    this.curve = { atMs: points.length ? nowMs : -Infinity, points };
    return points;
  }

  /** One evaluation (the timer calls it; tests may too). */
  async tick(): Promise<void> {
    const e = this.engine;
    if (!e || this.busy) return;
    this.busy = true;
    try {
      let status;
      try {
        status = this.o.control.status();
      } catch {
        return; // still starting
      }
      const now = this.o.clock.now();
      const epoch = this.epoch();
      const { actions } = e.tick({ nowMs: now, epochMs: epoch, status, curve: this.curvePoints(now) });
      for (const a of actions) await this.act(e, a, now, epoch);
      if (epoch - this.lastSaveMs >= SAVE_EVERY_MS) this.save(epoch);
    } finally {
      this.busy = false;
    }
  }

  private async act(e: EconomicsEngine, a: EconomicsAction, now: number, epoch: number): Promise<void> {
    const c = this.o.control;
    try {
      if (a.kind === 'pause') await c.pause(`economics: ${a.message}`);
      else if (a.kind === 'resume') await c.resume();
      else await c.setPowerTarget(a.watts);
      e.acted(a, true, now, epoch);
      this.o.log.info({ action: a.kind, ...a.numbers }, a.message);
      c.raise({ at_ms: epoch, severity: 'info', source: 'economics', kind: `economics_${a.kind.replace('-', '_')}`, message: a.message, data: a.numbers });
    } catch (err) {
      e.acted(a, false, now, epoch, (err as Error).message);
      this.o.log.warn({ action: a.kind, err: (err as Error).message, ...a.numbers }, `${a.message}: not done`);
    }
  }

  private save(epoch: number): void {
    if (!this.engine) return;
    try {
      writeJson(join(this.o.dataDir, LEDGER_FILE), this.engine.ledger.toJSON());
      this.lastSaveMs = epoch;
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'economics ledger not saved; will retry');
    }
  }

  reload(config: KabosuConfig): ReloadResult {
    const next = config.economics;
    const inputs = (c: EconomicsConfig) => JSON.stringify([c.market.sources, c.wallMeter.topic, c.tariff.topic, c.tariff.kind, c.powerTarget.topic, c.mqttUrl, c.intervalS]);
    if (!this.engine) return next.enabled ? { applied: false, needsRestart: 'economics was off at start; restart to enable it' } : { applied: true };
    if (!next.enabled) return { applied: false, needsRestart: 'turning economics off needs a restart' };
    if (inputs(next) !== inputs(this.cfg)) return { applied: false, needsRestart: 'economics sources, topics or interval changed: restart to apply' };
    this.engine.reconfigure(next);
    this.cfg = next;
    return { applied: true };
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) t.cancel();
    this.save(this.epoch());
    const m = this.mqtt;
    this.mqtt = undefined;
    if (m) await new Promise<void>((res) => m.end(true, {}, () => res()));
  }
}
