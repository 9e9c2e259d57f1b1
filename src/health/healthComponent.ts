import type { Logger } from 'pino';
import { join } from 'node:path';
import type { Clock, GpioLine, TimerHandle } from '../hal/types';
import { KabosuError } from '../core/errors';
import type { BoardDefinition } from '../config/boardSchema';
import type { DaemonEvent, PowerStatus } from '../core/minerApi';
import { PowerAccountant } from '../power/powerAccountant';
import { priorModel } from '../power/powerModel';
import { EnergySaver, loadEnergy } from '../power/energyStore';
import { PmbusPsu } from '../power/pmbusPsu';
import type { BoardPower } from '../power/boardPower';
import { HealthMonitor, type MinerActions, type MonitoredChain } from './healthMonitor';
import { checkFan, checkPsu, checkRegulator, StuckDetector, type HwFault } from './hwFaults';
import { readSensors, type DiagHal } from './diagnostics';
import type { DiagReport } from './diagReport';
import { FlatlineWatchdog } from './flatlineWatchdog';
import { defaultHealthConfig, healthSettings, type HealthConfig, type HealthSettings } from './healthSettings';

/**
 * The daemon's health and power component: runs the HealthMonitor on the mining chains, reads
 * the hardware every `hwIntervalMs` (sensors, fan tachs against their duty, PSU, regulator
 * readback) for faults and power accounting, keeps the energy counter (persisted at most every
 * 15 min and on stop), answers `runDiagnostics` from live figures and blinks the LEDs for
 * `identify`. It reaches the miner only through the ports it is given (app/components.ts).
 * Thresholds, bounds, intervals and whether it acts at all come from the config's `health`
 * section (healthSettings.ts) and follow hot reload (`reload`).
 */
/** The control board's own draw (AM335x-class controller, W); the sim's board JSON uses the same order. */
const CONTROLLER_W = 6;

export interface HealthPorts {
  chains(): MonitoredChain[];
  actions: MinerActions;
  hardware(): { hal: DiagHal & { gpio: { led: { red: GpioLine; green: GpioLine } } }; board: BoardDefinition; simulated: boolean } | undefined;
  power(): BoardPower | undefined;
  chainFreqMHz(board: number): number | null;
  raise(e: DaemonEvent): void;
  /** Pool-side counters for the flatline/divergence watchdog (absent: watchdog off). */
  shares?(): { accepted: number; rejected: number; notSubmitted: number; difficulty: number | null };
}

export interface HealthComponentOptions {
  clock: Clock;
  log: Logger;
  dataDir: string;
  ports: HealthPorts;
  limitW?: number | null;
  /** The config's `health` section (default: every field at its schema default). */
  config?: HealthConfig;
}

export class HealthComponent {
  readonly name = 'health';
  /** Config sections this component applies on hot reload (their owner). */
  readonly reloads = ['health', 'power'] as const;
  readonly critical = false;
  readonly monitor: HealthMonitor;
  private hwTimer?: TimerHandle;
  private accountant?: PowerAccountant;
  private saver: EnergySaver;
  private lastPower?: PowerStatus;
  private stuck = new Map<string, StuckDetector>();
  private hwBusy = false;
  private identifyTimer?: TimerHandle;
  private watchdogTimer?: TimerHandle;
  private watchdog?: FlatlineWatchdog;
  private watchdogRate = 0;
  private settings: HealthSettings;
  private limitW: number | null;
  private started = false;

  constructor(private readonly o: HealthComponentOptions) {
    const s = (this.settings = healthSettings(o.config ?? defaultHealthConfig()));
    this.limitW = o.limitW ?? null;
    this.monitor = new HealthMonitor({
      clock: o.clock,
      log: o.log,
      chains: () => o.ports.chains(),
      actions: o.ports.actions,
      raise: (e) => o.ports.raise(e),
      policy: s.policy,
      chip: s.chip,
      chain: s.chain,
      intervalMs: s.intervalMs,
    });
    this.saver = new EnergySaver(join(o.dataDir, 'energy.json'));
  }

  /**
   * Config hot reload: new thresholds and bounds apply from the next judgement (windows, states
   * and budgets already used are kept); `enabled` starts or stops the monitor and watchdog;
   * changed intervals restart their timers; `power.limitW` feeds power accounting.
   */
  reload(config: { health: HealthConfig; power: { limitW?: number } }): { applied: boolean } {
    const prev = this.settings;
    const s = (this.settings = healthSettings(config.health));
    this.limitW = config.power.limitW ?? null;
    this.monitor.configure({ policy: s.policy, chip: s.chip, chain: s.chain, intervalMs: s.intervalMs });
    this.watchdog?.configure(this.watchdogParams());
    for (const d of this.stuck.values()) d.spanMs = s.hardware.sensorStuckMs;
    if (!this.started) return { applied: true };
    if (!s.enabled && this.monitor.running) {
      this.monitor.stop();
      this.monitor.reset();
    }
    if (s.enabled && !this.monitor.running) this.monitor.start();
    if (!this.watchdogWanted() || prev.watchdog.intervalMs !== s.watchdog.intervalMs) {
      this.watchdogTimer?.cancel();
      this.watchdogTimer = undefined;
      if (!this.watchdogWanted()) this.watchdog = undefined; // switched on again later: a fresh window, not one with a gap
    }
    this.startWatchdog();
    if (prev.hardware.intervalMs !== s.hardware.intervalMs) {
      this.hwTimer?.cancel();
      this.hwTimer = this.o.clock.setInterval(() => void this.hardwareTick(), s.hardware.intervalMs);
    }
    return { applied: true };
  }

  private watchdogParams() {
    const w = this.settings.watchdog;
    return { windowMs: w.windowMs, p: w.p, maxRestartsPerHour: w.maxRestartsPerHour, expectedNoncesPerSec: this.watchdogRate };
  }

  private watchdogWanted(): boolean {
    return this.settings.enabled && this.settings.watchdog.enabled && this.o.ports.shares !== undefined;
  }

  private startWatchdog(): void {
    if (this.watchdogWanted()) this.watchdogTimer ??= this.o.clock.setInterval(() => this.watchdogTick(this.o.clock.now()), this.settings.watchdog.intervalMs);
  }

  async start(): Promise<void> {
    const loaded = loadEnergy(join(this.o.dataDir, 'energy.json'));
    if (loaded.problem) this.o.log.warn({ problem: loaded.problem }, 'energy counter unreadable; starting from 0');
    const hw = this.o.ports.hardware();
    if (hw) {
      const b = hw.board;
      const hb = b.hashBoard;
      const dcW = b.published.wallPowerW * b.psu.efficiency;
      const fansW = b.controller.fans.reduce((a, f) => a + f.maxPowerW * 0.343, 0); // 70 % duty, cube law
      const overheadW = fansW + CONTROLLER_W;
      const boardW = (dcW - overheadW) * hb.regulator.efficiency / hb.chains;
      this.accountant = new PowerAccountant({
        model: priorModel({ volts: hb.voltage.stockV, freqMHz: hb.freqMHz.stock, tempC: 70, watts: boardW }, 0.1),
        regulatorEfficiency: hb.regulator.efficiency,
        psuEfficiency: b.psu.efficiency,
        overheadW,
        startKwh: loaded.kwh,
        refTempC: 70,
      });
    }
    this.started = true;
    if (this.settings.enabled) this.monitor.start();
    this.startWatchdog();
    this.hwTimer = this.o.clock.setInterval(() => void this.hardwareTick(), this.settings.hardware.intervalMs);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.monitor.stop();
    this.hwTimer?.cancel();
    this.identifyTimer?.cancel();
    this.watchdogTimer?.cancel();
    this.watchdogTimer = undefined;
    if (this.accountant) this.saver.maybeSave(this.o.clock.now(), this.accountant.energy.kwh, true);
  }

  /** Flatline/divergence: one verdict per `flatline.intervalMs`; a new episode re-inits every chain (bounded; never in report mode) and says why. */
  watchdogTick(nowMs: number): void {
    const sh = this.o.ports.shares?.();
    if (!sh) return;
    const chains = this.o.ports.chains().filter((c) => c.ready);
    const rate = chains.reduce((a, c) => a + (c.ticketDifficulty ? c.expectedHps / (c.ticketDifficulty * 65536) : 0), 0);
    if (!this.watchdog) {
      this.watchdogRate = rate;
      this.watchdog = new FlatlineWatchdog(this.watchdogParams());
    }
    let nonces = 0;
    let hashes = 0;
    for (const c of chains) for (const t of c.chips) {
      nonces += t.nonces;
      hashes += t.nonces * (c.ticketDifficulty ?? 0) * 65536;
    }
    const v = this.watchdog.update({ atMs: nowMs, chipNonces: nonces, chipHashes: hashes, accepted: sh.accepted, rejected: sh.rejected, notSubmitted: sh.notSubmitted, shareDifficulty: sh.difficulty, ticketDifficulty: Math.max(0, ...chains.map((c) => c.ticketDifficulty ?? 0)), workFlowing: chains.length > 0 && chains.every((c) => c.workFlowing !== false) });
    if (!v.changed || v.state === 'unknown') return;
    const bad = v.state !== 'ok';
    const restart = v.restart && this.settings.act;
    const then = restart ? '; re-initialising every chain' : v.restart ? '; health.actions is "report": not re-initialising' : '; restart budget used up, reporting only';
    this.o.ports.raise({ at_ms: nowMs, severity: bad ? 'critical' : 'info', source: 'health', kind: bad ? v.state : 'earning_recovered', message: bad ? `${v.state}: ${v.rootCause}${then}` : 'chips and pool credit agree again', data: { root_cause: v.rootCause, restart } });
    if (restart) for (const c of chains) void this.o.ports.actions.reinitChain(c.index).catch(() => undefined);
  }

  power(): PowerStatus | undefined {
    return this.lastPower;
  }

  /** One round of hardware reads: faults to the monitor, figures to power accounting. */
  async hardwareTick(): Promise<HwFault[]> {
    const hw = this.o.ports.hardware();
    if (!hw || this.hwBusy) return [];
    this.hwBusy = true;
    try {
      const now = this.o.clock.now();
      const faults: HwFault[] = [];
      const power = this.o.ports.power();
      const board = hw.board;
      const powered = Array.from({ length: board.hashBoard.chains }, (_, c) => power?.isEnabled(c) ?? false);
      const onChains = powered.flatMap((on, c) => (on ? [c] : []));
      const sensors = await readSensors(hw.hal, board, onChains, faults);
      for (const s of sensors) {
        if (s.remote_c === null) continue;
        const key = `chain${s.chain}.sensor${s.sensor}`;
        const det = this.stuck.get(key) ?? new StuckDetector(this.settings.hardware.sensorStuckMs);
        this.stuck.set(key, det);
        if (det.push(now, s.remote_c, powered[s.chain])) faults.push({ kind: 'sensor_stuck', part: key, board: s.chain, severity: 'critical', message: `${key} has read exactly ${s.remote_c} °C for ${det.spanMs % 60_000 === 0 ? `${det.spanMs / 60_000} min` : `${det.spanMs / 1000} s`} while powered` });
      }
      let fansW = 0;
      let fansKnown = true;
      for (let i = 0; i < board.controller.fans.length; i++) {
        const pwmIndex = [...new Set(board.controller.fans.map((f) => f.pwm))].indexOf(board.controller.fans[i].pwm);
        const duty = (hw.hal.fans.pwm[pwmIndex] as { duty?: number }).duty;
        if (duty === undefined) {
          fansKnown = false;
          continue;
        }
        fansW += board.controller.fans[i].maxPowerW * duty ** 3; // fan affinity law

        let rpm: number | { error: string };
        try {
          rpm = await hw.hal.fans.tach[i].readRpm();
        } catch (err) {
          rpm = { error: (err as Error).message };
        }
        const f = checkFan(`fan${i}`, duty, rpm, board.controller.fans[i].maxRpm);
        if (f) faults.push(f);
      }
      const volts: (number | null)[] = [];
      for (let c = 0; c < powered.length; c++) {
        volts.push(null);
        if (!power || !powered[c]) continue;
        try {
          const v = await power.readVoltage(c);
          volts[c] = v;
          const f = checkRegulator(c, power.voltageSet(c), { volts: v }, this.settings.hardware.regulatorToleranceV);
          if (f) faults.push(f);
        } catch (err) {
          faults.push(checkRegulator(c, power.voltageSet(c), { error: (err as Error).message }, this.settings.hardware.regulatorToleranceV)!);
        }
      }
      let psu: { pinW: number; poutW: number } | null = null;
      const tel = board.psu.telemetry;
      if (tel?.kind === 'pmbus') {
        try {
          const r = await new PmbusPsu(hw.hal.i2c[tel.bus], tel.address).read();
          psu = r;
          const f = checkPsu(r, 12, this.settings.hardware.psuSagRatio);
          if (f) faults.push(f);
        } catch (err) {
          if (!tel.stock) faults.push(checkPsu({ error: (err as Error).message }, 12, this.settings.hardware.psuSagRatio)!);
        }
      }
      if (this.settings.enabled) this.monitor.reportHardware(now, faults);
      if (this.accountant) {
        const temps = powered.map((_, c) => {
          const t = sensors.filter((s) => s.chain === c && s.remote_c !== null).map((s) => s.remote_c as number);
          return t.length ? Math.max(...t) : null;
        });
        this.lastPower = this.accountant.update(now, powered.map((on, c) => ({ enabled: on, volts: volts[c], freqMHz: this.o.ports.chainFreqMHz(c), tempC: temps[c] })), psu, this.limitW, fansKnown ? fansW + CONTROLLER_W : undefined);
        this.saver.maybeSave(now, this.accountant.energy.kwh);
      }
      return faults;
    } finally {
      this.hwBusy = false;
    }
  }

  /** `kabosu diag` while the daemon runs: live figures, nothing that would disturb mining. */
  async diagnose(): Promise<DiagReport> {
    const t0 = this.o.clock.now();
    const hw = this.o.ports.hardware();
    const faults = await this.hardwareTick();
    const chains = this.o.ports.chains().map((c) => ({
      index: c.index,
      chips_expected: c.expectedChips,
      chips_found: c.chipsFound ?? 0,
      no_answer: [] as number[],
      frames: c.frames,
      bad_frames: c.badFrames,
      error_rate: c.frames + c.badFrames > 0 ? c.badFrames / (c.frames + c.badFrames) : 0,
      ...(this.monitor.chainProblems(c.index).length ? { error: this.monitor.chainProblems(c.index).join('; ') } : {}),
      chips: c.chips.map((t, chip) => ({ chip, address: chip, response_ms: null, nonces: t.nonces, hw_error_ratio: t.nonces + t.hwErrors > 0 ? t.hwErrors / (t.nonces + t.hwErrors) : 0, health: this.monitor.chipState(c.index, chip) })),
    }));
    const chainFaults = chains.filter((c) => this.monitor.chainState(c.index) !== 'ok' && this.monitor.chainState(c.index) !== 'unknown');
    const all = [...this.monitor.hardwareFaults(), ...faults.filter((f) => !this.monitor.hardwareFaults().some((g) => g.kind === f.kind && g.part === f.part))];
    const power = this.o.ports.power();
    const board = hw?.board;
    const sensorsOn = board ? Array.from({ length: board.hashBoard.chains }, (_, c) => c).filter((c) => power?.isEnabled(c)) : [];
    const sensors = hw && board ? await readSensors(hw.hal, board, sensorsOn, []) : [];
    return {
      mode: 'daemon',
      board: board?.id ?? 'none',
      simulated: hw?.simulated ?? false,
      at_ms: t0,
      duration_ms: this.o.clock.now() - t0,
      ok: all.length === 0 && chainFaults.length === 0,
      faults: [
        ...all.map(({ kind, part, board: b, severity, message }) => ({ kind, part, board: b, severity, message })),
        ...chainFaults.map((c) => ({ kind: 'chain_chips_missing' as const, part: `chain${c.index}`, board: c.index, severity: 'warning' as const, message: `chain ${c.index} ${this.monitor.chainState(c.index)}: ${c.error ?? ''}` })),
      ],
      chains,
      sensors,
      fans: (board?.controller.fans ?? []).map((f, i) => ({ index: i, max_rpm: f.maxRpm, steps: [], ok: !all.some((x) => x.part === `fan${i}`) })),
      regulators: (board ? Array.from({ length: board.hashBoard.chains }, (_, c) => c) : []).map((c) => ({ board: c, kind: board!.hashBoard.regulator.kind, set_v: power?.voltageSet(c) ?? null, read_v: this.lastPower?.boards[c]?.voltage_v ?? null })),
      psu: null,
      notes: ['live figures from the running daemon: chips judged by their nonce and HW-error statistics; the fan spin test and the chain scan run only standalone (kabosu diag --standalone with the daemon stopped)'],
    };
  }

  /** Blink the LEDs (green/red alternating at 2 Hz) for `seconds`. */
  async identify(seconds: number): Promise<string> {
    const hw = this.o.ports.hardware();
    if (!hw) throw new KabosuError('KBS_E_NOT_AVAILABLE', 'identify needs hash-board hardware (no LEDs reachable)');
    if (!(typeof seconds === 'number' && seconds > 0 && seconds <= 600)) throw new KabosuError('KBS_E_HEALTH_IDENTIFY', `identify seconds must be in 1..600, got ${String(seconds)}`, { hint: 'e.g. identify 30' });
    const { red, green } = hw.hal.gpio.led;
    this.identifyTimer?.cancel();
    let phase = 0;
    const end = this.o.clock.now() + seconds * 1000;
    this.identifyTimer = this.o.clock.setInterval(() => {
      phase ^= 1;
      if (this.o.clock.now() >= end) {
        this.identifyTimer?.cancel();
        void red.write(0).catch(() => undefined);
        void green.write(1).catch(() => undefined);
        return;
      }
      void green.write(phase as 0 | 1).catch(() => undefined);
      void red.write((phase ^ 1) as 0 | 1).catch(() => undefined);
    }, 250);
    return `blinking the LEDs for ${seconds} s`;
  }
}
