import { MemoryTrimComponent } from './memoryTrim';
import { HelperThreadsComponent } from './helperThreads';
import type { Logger } from 'pino';
import type { Clock } from '../hal/types';
import type { KabosuConfig } from '../config';
import { CONFIG_SCHEMA } from '../config/schema';
import type { LogRoot } from '../core/log';
import type { Component } from './component';
import type { ComponentStatus } from './lifecycle';
import type { DaemonStatus, HashrateFigure } from './status';
// The test pool loads only when the config asks for it (lazy require), as the simulator does
// (boards/): a firmware on real or remote boards does not carry them in memory.
import type { TestPool, V2TestPool } from '../pool';
import { MiningComponent, POWER_SETTLE_MS } from './mining';
import { HttpApiComponent } from './httpApi';
import { OtaComponent } from './ota';
import { HistoryComponent } from './history';
import { EconomicsComponent } from './economics';
import { TuningComponent } from './tuning';
import { brokerCredentials } from './brokerCredentials';
import { TelemetryReloadable } from './telemetry';
import { ThermalComponent, type ThermalHardware } from '../thermal/component';
import { effectiveLimits } from '../thermal/defaults';
import type { HashBoards } from '../boards';
import { BoardsComponent } from './boardsComponent';
import { CgminerApiComponent } from '../api/cgminer/component';
import { StockCgiComponent } from '../api/http/cgi/component';
import type { DaemonControl } from './control';
import type { ChipStatus, PoolStatus } from '../core/minerApi';
import type { ShareStatsSnapshot } from '../pools';
import { WINDOWS_S } from '../hashboard/hashrateMeter';
import type { RateEstimate } from '../hashboard/hashrateMeter';
import { HealthComponent } from '../health/healthComponent';
import { monitoredChains, withBoardPower } from '../health/monitoredChains';
import type { FrequencyOwner } from '../hashboard/frequencyOwner';
import { frequencyOwnerFor, healthFrequencyPorts, reinitThrough } from './frequencies';

/**
 * Builds the components the config asks for, in start order: the hash boards (simulated or
 * Linux hardware), then what feeds and watches them. Each later issue adds its component here.
 */
export interface BuildContext {
  config: KabosuConfig;
  clock: Clock;
  logRoot: LogRoot;
  dataDir: string;
  /** The command surface and event bus: components raise events and plug in the commands they own. */
  control: DaemonControl;
  /** The hash boards, already opened (boards/boardsBackendFor): every component gets this value. */
  boards: HashBoards;
  /** The process environment (KABOSU_SLOT from the launcher) and a way to stop and exit with a code (OTA restart). */
  env?: NodeJS.ProcessEnv;
  requestExit?: (code: number) => void;
}

export interface StatusInput {
  version: string;
  uptimeS: number;
  deviceId: string;
  components: ComponentStatus[];
  nowMs: number;
}

export interface BuiltComponents {
  components: Component<KabosuConfig>[];
  status(i: StatusInput): DaemonStatus;
  summary(): string;
  chips(nowMs: number): ChipStatus[];
}

const NO_RATE: HashrateFigure = { hps: 0, rel_err: null };

/** The embedded Stratum test pool (`npm start`, demos): the firmware mines on it over real TCP. */
class TestPoolComponent implements Component<KabosuConfig> {
  readonly name = 'test-pool';
  readonly critical = false;
  pool?: TestPool;
  v2?: V2TestPool;
  constructor(
    private readonly ctx: BuildContext,
    private readonly log: Logger,
  ) {}
  async start(): Promise<void> {
    const t = this.ctx.config.testPool;
    const { startTestPool } = require('../pool') as typeof import('../pool');
    this.pool = await startTestPool({
      host: t.host,
      port: t.port,
      pow: t.pow,
      blockIntervalS: t.blockIntervalS,
      jobIntervalS: t.jobIntervalS,
      difficulty: t.difficulty,
      log: this.log,
    });
    this.log.info({ url: this.pool.url, pow: t.pow }, 'test pool listening');
    if (t.v2Port) {
      // Stratum V2 beside V1, with the public development authority key (never for a real pool).
      const { startV2TestPool, DEV_AUTHORITY_SECRET_HEX } = require('../pool') as typeof import('../pool');
      try {
        this.v2 = await startV2TestPool({
          host: t.host, port: t.v2Port, pow: t.pow, blockIntervalS: t.blockIntervalS, jobIntervalS: t.jobIntervalS,
          difficulty: t.difficulty, log: this.log, authoritySecret: DEV_AUTHORITY_SECRET_HEX,
        });
        this.log.info({ url: this.v2.url, pow: t.pow }, 'test pool listening (stratum v2)');
      } catch (err) {
        // The V1 pool keeps running; only a V2 pool URL is affected.
        this.log.warn({ port: t.v2Port, err: (err as Error).message }, 'stratum v2 test pool not started (testPool.v2Port)');
      }
    }
  }
  async stop(): Promise<void> {
    await this.v2?.close();
    await this.pool?.close();
  }
}

function figure(r: RateEstimate): HashrateFigure {
  return { hps: r.hps, rel_err: Number.isFinite(r.relErr) ? r.relErr : null };
}

export function buildComponents(ctx: BuildContext): BuiltComponents {
  const hb = ctx.config.hashboards;
  const components: Component<KabosuConfig>[] = [];
  const boards = ctx.boards;
  components.push(new BoardsComponent(boards));
  const open = boards.available ? boards : undefined;
  if (ctx.config.testPool.enabled) components.push(new TestPoolComponent(ctx, ctx.logRoot.child('testpool')));
  const mining = new MiningComponent({
    config: ctx.config,
    clock: ctx.clock,
    log: ctx.logRoot.child('mining'),
    boards,
    // Boards are powered only once the thermal component sees every fan turning (10 s at most).
    fansReady: () => thermal.fansRunning(10_000),
  });
  // The one writer of chip frequencies: tuning (base), health (caps), thermal (scale) go through it.
  const frequencies = frequencyOwnerFor({ mining, clock: ctx.clock, log: ctx.logRoot.child('frequencies'), raise: (e) => ctx.control.raise(e) });
  const thermalHw = (thermalCfg: { targetC: number; hotC: number; dangerousC: number } = ctx.config.thermal): ThermalHardware | undefined => {
    const m = open;
    const power = mining.boardPower();
    if (!m || !power) return undefined;
    const d = CONFIG_SCHEMA.properties.thermal.properties;
    const t = effectiveLimits(m.board.hashBoard.thermal, thermalCfg, { targetC: d.targetC.default, hotC: d.hotC.default, dangerousC: d.dangerousC.default });
    return { sensorBuses: m.hal.sensorBuses, fans: m.hal.fans, resetLines: m.hal.gpio.reset, fanMaxRpm: m.board.controller.fans.map((f: { maxRpm: number }) => f.maxRpm), limits: t.limits, limitsNote: t.note, power };
  };
  const thermal = new ThermalComponent({ clock: ctx.clock, log: ctx.logRoot.child('thermal'), config: ctx.config.thermal, hardware: thermalHw, raise: (e) => ctx.control.raise(e),
    interlockWorker: boards.interlockWorker, // the out-of-event-loop interlock (sim-remote: its own hal link)
    applyFreqScale: async (scale) => {
      const f = frequencies();
      if (!f) return;
      await Promise.all(Array.from({ length: f.plan.boardCount }, (_, b) => f.setScale(b, scale)));
    },
    // A clean re-init after the interlock's cool-down: power (soft-start), settle, chain bring-up;
    // if the chain does not come up clean the board is powered off and locked again.
    reinitBoard: async (b) => {
      const power = mining.power;
      const core = mining.core;
      if (!power || !core) return false;
      await power.enable(b, 'interlock cool-down complete');
      await ctx.clock.sleep(POWER_SETTLE_MS);
      const ok = await reinitThrough(frequencies(), b, () => core.reinitChain(b));
      if (!ok) await power.disable(b, 'chain did not re-initialise after an interlock trip', { lock: true });
      return ok;
    },
  });
  // Thermal before mining: fans and both interlocks run before mining powers a board, and stop
  // after mining powered them off again (components stop in reverse order).
  components.push(thermal);
  components.push(mining);
  ctx.control.parts.setFanMode = (mode, duty) => thermal.setFanMode(mode, duty);
  const healthPart = buildHealth(ctx, mining, frequencies);
  components.push(healthPart);
  const tuning = new TuningComponent({
    config: ctx.config,
    clock: ctx.clock,
    log: ctx.logRoot.child('tuning'),
    dataDir: ctx.dataDir,
    control: ctx.control,
    mining,
    boards,
    frequencies,
    temps: { hotC: (b) => thermal.hottestDieC(b), pcbC: (b) => thermal.boardTempC(b) },
  });
  components.push(tuning);
  const economics = new EconomicsComponent({ config: ctx.config, clock: ctx.clock, log: ctx.logRoot.child('economics'), dataDir: ctx.dataDir, control: ctx.control,
    tuner: () => (tuning.tuner && open ? { tuner: tuning.tuner, published: open.board.published } : undefined) });
  components.push(economics);
  const history = new HistoryComponent(ctx.dataDir, () => ctx.control.status(), ctx.clock, ctx.logRoot.child('history'));
  components.push(history);
  components.push(new HttpApiComponent(ctx.config, ctx.control, ctx.logRoot.child('http'), () => ({ chipFamily: open?.board.hashBoard.chipFamily }), (q) => history.query(q), ctx.dataDir));
  const mq = ctx.config.telemetry.mqtt;
  // MQTT (mqtt.js, aedes) is loaded only when configured: a miner without it does not carry it.
  const brokerCreds = mq.enabled && mq.broker.enabled ? brokerCredentials(ctx.config, ctx.dataDir) : undefined;
  if (brokerCreds) {
    const { EmbeddedBroker } = require('../telemetry/broker') as typeof import('../telemetry/broker');
    const acl = { deviceTree: `${mq.baseTopic}/${ctx.config.device.id}`, daemon: brokerCreds.daemon, operator: brokerCreds.operator, anonymousRead: mq.broker.anonymousRead };
    components.push(new EmbeddedBroker(mq.broker.host, mq.broker.port, acl, ctx.logRoot.child('mqtt-broker')));
  }
  if (mq.enabled) components.push(new TelemetryReloadable(ctx.config, ctx.control, ctx.logRoot.child('telemetry'), brokerCreds));
  // Pool and mining commands (MinerControl) are owned by the mining pipeline.
  Object.assign(ctx.control.parts, {
    pause: (reason: string) => mining.pause(reason),
    // Fresh chains come up at stock: the frequency plan (tuning, caps, throttle) goes back on.
    // (a failed write is reported by the owner's `failed` event).
    resume: async () => {
      const r = await mining.resume();
      await frequencies()?.reapplyAll().catch(() => undefined);
      return r;
    },
    restart: async () => {
      const r = await mining.restart();
      await frequencies()?.reapplyAll().catch(() => undefined);
      return r;
    },
    switchPool: (n: string) => mining.switchPool(n),
    enablePool: (n: string) => mining.enablePool(n),
    disablePool: (n: string) => mining.disablePool(n),
    addPool: (p: { url: string; user: string; password?: string }) => mining.addPool(p),
    removePool: (n: string) => mining.removePool(n),
    poolPriority: (names: string[]) => mining.poolPriority(names),
  });
  components.push(new CgminerApiComponent(ctx.config, ctx.control, ctx.logRoot.child('cgminer')));
  components.push(new StockCgiComponent(ctx.config, ctx.control, ctx.logRoot.child('cgi')));
  // Updates: install into the inactive app slot, commit the version on trial after proof (docs/ota.md).
  const ota = new OtaComponent({ config: ctx.config, dataDir: ctx.dataDir, control: ctx.control, log: ctx.logRoot.child('ota'), env: ctx.env ?? {}, nowMs: () => ctx.clock.now(), requestExit: ctx.requestExit });
  components.push(ota);
  components.push(new MemoryTrimComponent(ctx.clock));
  components.push(new HelperThreadsComponent(ctx.clock));
  const boardsNote = (): string | undefined => (boards.available ? undefined : boards.note);
  return {
    components,
    chips: (now) => {
      const core = mining.core;
      if (!core) return [];
      const freq = frequencies()?.snapshot();
      return core.chains.flatMap((_c, k) =>
        core.stats.chipSnapshots(k, now).map((snap, chip) => ({
          chain: k,
          chip,
          ...chipFrequency(freq?.boards[k]?.chips[chip], freq?.boards[k]?.scale, core.plans[k].freqMHz),
          nonces: snap.nonces,
          hw_errors: snap.hwErrors,
          hashrate: Object.fromEntries([...(Object.keys(WINDOWS_S) as (keyof typeof WINDOWS_S)[]), 'total' as const].map((w) => [w, figure(snap.hashrate[w])])) as ChipStatus['hashrate'],
          health: healthPart.monitor.chipState(k, chip),
          last_nonce_ms: snap.lastNonceMs ?? null,
        })),
      );
    },
    summary: () => {
      const note = boardsNote();
      return note ? `running with no hash boards: ${note}` : `running: ${hb.backend} ${hb.model}`;
    },
    status: (i) => {
      const note = boardsNote();
      const core = mining.core;
      const now = i.nowMs;
      const windows = [...(Object.keys(WINDOWS_S) as (keyof typeof WINDOWS_S)[]), 'total' as const];
      const rates = (snap: { hashrate: Record<string, RateEstimate> } | undefined) =>
        Object.fromEntries(windows.map((w) => [w, snap ? figure(snap.hashrate[w]) : NO_RATE])) as Record<'5s' | '1m' | '15m' | 'total', HashrateFigure>;
      const minerSnap = core?.stats.minerSnapshot(now);
      const hashing = Boolean(minerSnap && minerSnap.nonces > 0);
      const health = mining.poolHealth();
      return {
        version: i.version,
        uptime_s: i.uptimeS,
        state: note ? 'no-hashboards' : mining.paused ? 'paused' : hashing ? 'mining' : core ? 'waiting-for-work' : 'starting',
        device_id: i.deviceId,
        hashboards: { backend: boards.backend, model: boards.model, simulated: boards.simulated, pow: boards.pow, ...(note ? { note } : {}) },
        hashrate: { chips: rates(minerSnap), pool_accepted: mining.shares.accepted > 0 ? figure(mining.poolMeter.rate('15m', now)) : null },
        shares: { submitted: mining.shares.submitted, accepted: mining.shares.accepted, rejected: { ...mining.shares.rejected }, not_submitted: { ...mining.shares.notSubmitted }, ...shareFigures(mining.shareStats.snapshot()), submit_host_ms: latencySummary(mining.shareLatencyMs), work_host_ms: latencySummary(mining.workLatencyMs.slice(-1000)), submit_host_hist: mining.shareLatencyHist.snapshot() },
        pools: health.length
          ? health.map((h) => ({
              name: h.name, url: h.url, state: h.state, active: h.active, difficulty: h.difficulty, latency_ms: h.latencyEwmaMs, accepted: h.accepted, rejected: h.rejected,
              stale: h.shares.stale, rejected_reasons: { ...h.shares.rejectedBy }, ...shareFigures(h.shares),
              // ms since epoch on the wire (docs: PoolStatus); share stats keep the daemon's monotonic clock.
              last_share_at_ms: h.shares.lastShareAtMs === null ? null : Math.round(Date.now() - (ctx.clock.now() - h.shares.lastShareAtMs)),
            }))
          : ctx.config.pools.map((p) => ({ name: p.name, url: p.url, state: 'idle', active: false, difficulty: null, latency_ms: null, accepted: 0, rejected: 0 })),
        chains: core
          ? core.chains.map((c, k) => {
              const snap = core.stats.chainSnapshot(k, now);
              const plan = core.plans[k];
              return {
                index: k,
                chips_expected: plan.expectedChips,
                chips_found: c.chipsFound,
                nonces: snap.nonces,
                hw_errors: snap.hwErrors,
                crc_errors: plan.chain.counts.badCrc + plan.chain.counts.badHeader + plan.chain.counts.shortFrames,
                silent_chips: c.silent,
                freq_mhz: c.ready ? (frequencies()?.boardMeanMHz(k) ?? plan.freqMHz) : null,
                ticket_difficulty: c.ticket?.difficulty ?? null,
                hashrate: rates(snap),
              };
            })
          : [],
        components: i.components,
        ...(healthPart.power() ? { power: healthPart.power() } : {}),
        tuning: tuning.status(),
        ...(thermal.ctl ? { thermal: thermal.status() } : {}),
        ota: ota.status(),
        ...(economics.status() ? { economics: economics.status() } : {}),
      };
    },
  };
}

/**
 * Health and power (health/, power/): judges chips and chains from the mining figures, reads the
 * hardware for faults and power, acts through the mining pipeline, and plugs `runDiagnostics`
 * and `identify` into the control surface.
 */
function buildHealth(ctx: BuildContext, mining: MiningComponent, frequencies: () => FrequencyOwner | undefined): HealthComponent {
  const boards = ctx.boards;
  const freq = healthFrequencyPorts(frequencies, () => mining.core);
  const health = new HealthComponent({
    clock: ctx.clock,
    log: ctx.logRoot.child('health'),
    dataDir: ctx.dataDir,
    limitW: ctx.config.power.limitW ?? null,
    config: ctx.config.health, // thresholds and actions; HealthComponent.reload follows hot reload
    ports: {
      // Chip frequencies in health's frame and its frequency actions go through the owner.
      chains: () => (mining.core ? withBoardPower(freq.view(monitoredChains(mining.core, ctx.clock.now(), mining.hasWork)), mining.power && ((b) => mining.power!.isEnabled(b))) : []),
      actions: {
        reinitChain: freq.reinitChain,
        setChipFreq: freq.setChipFreq,
        disableChip: freq.disableChip,
        powerOffBoard: async (b, reason) => {
          await mining.power?.disable(b, reason, { lock: true });
        },
      },
      hardware: () => (boards.available ? { hal: boards.hal, board: boards.board, simulated: boards.simulated } : undefined),
      power: () => mining.power,
      chainFreqMHz: (b) => (mining.core?.chains[b]?.ready ? (frequencies()?.boardMeanMHz(b) ?? mining.core.plans[b].freqMHz) : null),
      raise: (e) => ctx.control.raise(e),
      shares: () => ({
        accepted: mining.shares.accepted,
        rejected: Object.values(mining.shares.rejected).reduce((a, b) => a + b, 0),
        notSubmitted: Object.values(mining.shares.notSubmitted).reduce((a, b) => a + b, 0),
        difficulty: mining.currentDifficulty ?? null,
      }),
    },
  });
  ctx.control.parts.runDiagnostics = () => health.diagnose();
  ctx.control.parts.identify = (seconds) => health.identify(seconds);
  return health;
}

/** ChipStatus frequency fields: the plan's effective value and what it is made of. */
function chipFrequency(c: ReturnType<FrequencyOwner['snapshot']>['boards'][number]['chips'][number] | undefined, scale: number | undefined, fallbackMHz: number): Pick<ChipStatus, 'freq_mhz' | 'freq_plan'> {
  if (!c || scale === undefined) return { freq_mhz: fallbackMHz };
  return { freq_mhz: c.effectiveMHz, freq_plan: { base_mhz: c.baseMHz, cap_mhz: c.capMHz, scale, running_mhz: c.runningMHz } };
}

/** The difficulty sums, last share and last reject of a pool or of the whole miner, as status fields. */
function shareFigures(s: ShareStatsSnapshot): Pick<PoolStatus, 'difficulty_accepted' | 'difficulty_rejected' | 'difficulty_stale' | 'last_share_difficulty' | 'last_reject'> {
  const r = s.lastReject;
  return {
    difficulty_accepted: s.difficultyAccepted, difficulty_rejected: s.difficultyRejected, difficulty_stale: s.difficultyStale,
    last_share_difficulty: s.lastShareDifficulty,
    last_reject: r ? { code: r.code, text: r.text, at_ms: r.atMs, class: r.class } : null,
  };
}

/** p50/p99 of a latency sample (undefined when empty). */
function latencySummary(xs: readonly number[]): { samples: number; p50: number; p99: number } | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3);
  return { samples: s.length, p50: at(0.5), p99: at(0.99) };
}
