/**
 * ThermalComponent: runs the ThermalController on the miner's hardware once mining has powered
 * the boards; fills `status.thermal`, plugs `setFanMode`, and raises DaemonEvents for interlock
 * trips, fan failures, throttling and boards ready for re-init.
 *
 * Limits come from the board definition (`hashBoard.thermal`); the config's thermal section sets
 * mode, manual duty and fan duty limits.
 *
 * The out-of-event-loop interlock: when the hardware can be opened a second time from another
 * thread (`interlockWorker: {hal}`, the sim-remote backend) an InterlockSupervisor keeps the
 * worker thread running with the same limits; its trips go through the controller's own trip
 * path (BoardPower lock, event, cool-down, re-init) and the worker is released after a clean
 * re-init. Otherwise status says why it is unavailable.
 */
import type { Logger } from 'pino';
import type { DaemonEvent, InterlockTrip, InterlockWorkerState, ThermalStatus } from '../core/minerApi';
import { KabosuError } from '../core/errors';
import type { Clock, GpioLine, I2cBus, Pwm, Tach } from '../hal/types';
import type { BoardPower } from '../power/boardPower';
import { DEFAULT_PID, limitsFor, type BoardThermal } from './defaults';
import { Fans } from './fans';
import { ThermalController, type FanMode } from './thermalController';
import type { InterlockLimits } from './interlockRules';
import { InterlockSupervisor, type InterlockWorkerTarget } from './interlockSupervisor';

/** The worker's tick: half the main thread's, so it acts well within the 1 s budget. */
const WORKER_TICK_MS = 100;

export interface ThermalHardware {
  sensorBuses: readonly (readonly I2cBus[])[];
  fans: { pwm: readonly Pwm[]; tach: readonly Tach[] };
  resetLines?: readonly GpioLine[];
  fanMaxRpm: readonly number[];
  limits: BoardThermal;
  /** Why the limits differ from what the config asked for (logged at start). */
  limitsNote?: string;
  power: BoardPower;
}

export interface ThermalConfigLike {
  mode: 'auto' | 'manual' | 'immersion';
  /** The config's limits (combined with the board's by the `hardware` callback: effectiveLimits). */
  targetC: number;
  hotC: number;
  dangerousC: number;
  manualDuty: number;
  fan: { minDuty: number; maxDuty: number };
}

export class ThermalComponent {
  readonly name = 'thermal';
  /** Config sections this component applies on hot reload (their owner). */
  readonly reloads = ['thermal'] as const;
  readonly critical = true;
  ctl?: ThermalController;
  private trips = 0;
  private lastTrip: InterlockTrip | null = null;
  private worker?: InterlockSupervisor;
  private workerTrips = 0;
  private workerUnavailable?: string;
  private interlockLimits?: Omit<InterlockLimits, 'immersion'>;
  private power?: BoardPower;
  /** The running config and hardware (hot reload replaces them). */
  private config: ThermalConfigLike;
  private hw?: ThermalHardware;

  constructor(private readonly o: {
    clock: Clock; log: Logger; config: ThermalConfigLike;
    /** The boards' hardware and the limits to run with under this thermal config (undefined: no boards). */
    hardware: (thermal: ThermalConfigLike) => ThermalHardware | undefined; raise: (e: DaemonEvent) => void;
    /** Applies the policy's frequency scale (1 = configured) to every running chain. */
    applyFreqScale?: (scale: number) => Promise<void>;
    /**
     * After a trip's cool-down: power the board again and re-initialise its chain; resolves true
     * when the chain came up clean (else the board must be left off and locked again).
     */
    reinitBoard?: (board: number) => Promise<boolean>;
    /** Where the interlock worker thread reaches the hardware, or why it cannot (interlockWorkerTarget). */
    interlockWorker?: InterlockWorkerTarget;
  }) {
    this.config = o.config;
  }

  async start(): Promise<void> {
    const hw = this.o.hardware(this.config);
    if (!hw) {
      // No boards were powered (no hardware backend): nothing to protect, nothing to control.
      this.o.log.warn('no hash-board hardware: thermal control idle');
      return;
    }
    if (hw.limitsNote) this.o.log.warn(hw.limitsNote);
    const { policy, interlock } = limitsFor(hw.limits);
    const pid = this.pidFor(this.config);
    const ctl = new ThermalController({
      clock: this.o.clock, log: this.o.log, power: hw.power, sensorBuses: hw.sensorBuses,
      fans: new Fans(hw.fans.pwm, hw.fans.tach), fanModels: hw.fanMaxRpm.map((maxRpm) => ({ maxRpm, startDuty: 10 })),
      interlock, policy, pid, tickMs: 250, resetLines: hw.resetLines,
    });
    const at = () => this.o.clock.now();
    ctl.events.on('trip', (t) => {
      this.trips++;
      if (t.path === 'worker') this.workerTrips++;
      this.lastTrip = { at_ms: t.atMs, board: t.board, reason: t.reason, message: t.detail, path: t.path };
      const by = t.path === 'worker' ? ' by the interlock worker thread' : '';
      this.o.raise({ at_ms: t.atMs, severity: 'critical', source: t.path === 'worker' ? 'interlock-worker' : 'interlock', kind: 'interlock_trip', message: `board ${t.board} powered off${by}: ${t.reason} (${t.detail})`, data: { board: t.board, reason: t.reason, path: t.path } });
    }, this);
    ctl.events.on('fan_failed', (f) => this.o.raise({ at_ms: f.atMs, severity: f.failed ? 'critical' : 'info', source: 'thermal', kind: f.failed ? 'fan_failed' : 'fan_recovered', message: `fan ${f.fan} ${f.failed ? 'below its commanded speed' : 'recovered'}`, data: { fan: f.fan } }), this);
    ctl.events.on('throttle', (e) => {
      const danger = e.level === 'dangerous';
      this.o.raise({ at_ms: e.atMs, severity: danger ? 'critical' : 'warning', source: 'thermal', kind: 'thermal_throttle', message: `frequency scale ${e.scale} (${e.level}${danger ? ': the interlock powers every board at dangerous off' : ''})`, data: { scale: e.scale, level: e.level } });
      this.o.applyFreqScale?.(e.scale).catch((err: unknown) => this.o.log.error({ err, scale: e.scale }, 'could not apply the thermal frequency scale'));
    }, this);
    ctl.events.on('reinit_ready', (e) => {
      this.o.raise({ at_ms: e.atMs, severity: 'info', source: 'interlock', kind: 'interlock_cooled', message: `board ${e.board} cooled down; re-initialising it`, data: { board: e.board } });
      const reinit = this.o.reinitBoard;
      if (!reinit || !ctl.release(e.board)) return;
      reinit(e.board).then(
        (ok) => {
          // The worker judges the board again only once it is back and hashing cleanly.
          if (ok) this.worker?.release(e.board);
          this.o.raise({ at_ms: this.o.clock.now(), severity: ok ? 'info' : 'critical', source: 'interlock', kind: ok ? 'board_restored' : 'board_reinit_failed', message: ok ? `board ${e.board} re-initialised cleanly and hashing again` : `board ${e.board} did not re-initialise cleanly: left off`, data: { board: e.board } });
        },
        (err: unknown) => {
          this.o.log.error({ err, board: e.board }, 'board re-init after an interlock trip failed; powering it off');
          void hw.power.disable(e.board, 're-init failed after an interlock trip', { lock: true });
        },
      );
    }, this);
    this.ctl = ctl;
    ctl.setMode(this.toMode(this.config.mode, this.config.manualDuty));
    ctl.start();
    this.interlockLimits = interlock;
    this.hw = hw;
    this.startWorker(hw, ctl, interlock);
    this.o.log.info({ limits: hw.limits, at: at() }, 'thermal control and safety interlock running');
  }

  private startWorker(hw: ThermalHardware, ctl: ThermalController, interlock: Omit<InterlockLimits, 'immersion'>): void {
    const target = this.o.interlockWorker ?? { unavailable: 'no hardware target given for the interlock worker' };
    if ('unavailable' in target) {
      this.workerUnavailable = target.unavailable;
      this.o.log.warn({ reason: target.unavailable }, 'interlock worker thread unavailable: only the main-thread interlock runs');
      return;
    }
    const boards = hw.sensorBuses.length;
    const powered = (): boolean[] => Array.from({ length: boards }, (_x, b) => hw.power.isEnabled(b));
    const sup = new InterlockSupervisor({
      clock: this.o.clock, log: this.o.log.child({ part: 'interlock-worker' }), powered,
      worker: { hal: target.hal, boards, sensorsPerBoard: Math.max(0, ...hw.sensorBuses.map((s) => s.length)), sensorsByBoard: hw.sensorBuses.map((s) => s.length), fans: hw.fans.tach.length, tickMs: WORKER_TICK_MS },
      limits: { ...interlock, immersion: ctl.snapshot().mode === 'immersion' },
    });
    sup.events.on('trip', (t) => {
      ctl.externalTrip(t).catch((err: unknown) => this.o.log.error({ err, board: t.board }, 'could not lock a board the interlock worker tripped'));
    }, this);
    let failed = false;
    sup.events.on('state', (s) => {
      if (s.state === 'failed' && !failed) this.o.raise({ at_ms: s.atMs, severity: 'warning', source: 'interlock-worker', kind: 'interlock_worker_failed', message: `interlock worker thread not watching: ${s.reason} (the main-thread interlock still runs)`, data: { reason: s.reason } });
      if (s.state === 'running' && failed) this.o.raise({ at_ms: s.atMs, severity: 'info', source: 'interlock-worker', kind: 'interlock_worker_running', message: `interlock worker thread watching again: ${s.reason}`, data: { reason: s.reason } });
      failed = s.state === 'failed';
    }, this);
    hw.power.events.on('power', () => sup.setPowered(powered()), this);
    this.power = hw.power;
    this.worker = sup;
    sup.start();
  }

  private pidFor(c: ThermalConfigLike): typeof DEFAULT_PID {
    return { ...DEFAULT_PID, outMin: c.fan.minDuty, outMax: c.fan.maxDuty };
  }

  /**
   * Hot reload of the thermal section: new limits reach both interlocks (this controller and the
   * worker thread), new fan duty limits the PID; a changed mode or manual duty is applied (a mode
   * set by command stays until the config's mode changes).
   */
  reload(cfg: { thermal: ThermalConfigLike }): { applied: boolean; needsRestart?: string } {
    const prev = this.config;
    this.config = cfg.thermal;
    const ctl = this.ctl;
    if (!ctl) return { applied: true }; // not running (no boards): start() reads the new config
    const hw = this.o.hardware(cfg.thermal);
    if (!hw) return { applied: false, needsRestart: 'the hash boards are gone; restart to run thermal control again' };
    if (hw.limitsNote) this.o.log.warn(hw.limitsNote);
    const { policy, interlock } = limitsFor(hw.limits);
    ctl.setLimits(interlock, policy, this.pidFor(cfg.thermal));
    this.hw = hw;
    this.interlockLimits = interlock;
    if (prev.mode !== cfg.thermal.mode || prev.manualDuty !== cfg.thermal.manualDuty) ctl.setMode(this.toMode(cfg.thermal.mode, cfg.thermal.manualDuty));
    this.worker?.setLimits({ ...interlock, immersion: ctl.snapshot().mode === 'immersion' });
    this.o.log.info({ limits: hw.limits }, 'thermal limits reloaded (main interlock and worker)');
    return { applied: true };
  }

  /**
   * Resolves true once every fan's tach reads >= `minRpm` (or at once in immersion mode, or with
   * no thermal hardware to watch), false after `timeoutMs`. Mining waits for this before it
   * powers a board: a tach reads 0 for its first 1 s gate while the fans spin up, and powered
   * boards with stopped fans trip the interlock (fans_stopped), as stock firmware also refuses.
   */
  async fansRunning(timeoutMs: number, minRpm = 300): Promise<{ ok: boolean; rpm: (number | null)[] }> {
    const end = this.o.clock.now() + timeoutMs;
    for (;;) {
      const ctl = this.ctl;
      if (!ctl) return { ok: true, rpm: [] };
      const snap = ctl.snapshot();
      if (snap.mode === 'immersion') return { ok: true, rpm: snap.fanRpm };
      if (snap.fanRpm.length > 0 && snap.fanRpm.every((r) => r !== null && r >= minRpm)) return { ok: true, rpm: snap.fanRpm };
      if (this.o.clock.now() >= end) return { ok: false, rpm: snap.fanRpm };
      await this.o.clock.sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.ctl?.stop();
    this.power?.events.off(this);
    await this.worker?.stop();
  }

  private workerStatus(): { worker: InterlockWorkerState; worker_reason: string; worker_trips: number } {
    const w = this.worker;
    if (!w) return { worker: 'unavailable', worker_reason: this.workerUnavailable ?? 'not started', worker_trips: 0 };
    return { worker: w.state, worker_reason: w.reason, worker_trips: this.workerTrips };
  }

  private toMode(mode: FanMode['mode'], duty?: number): FanMode {
    if (mode === 'manual') return { mode, duty: duty ?? this.config.manualDuty };
    return { mode };
  }

  async setFanMode(mode: FanMode['mode'], dutyPct?: number): Promise<string> {
    if (!this.ctl) throw new KabosuError('KBS_E_NOT_AVAILABLE', 'thermal control is not running');
    if (mode === 'manual' && dutyPct !== undefined && !(Number.isFinite(dutyPct) && dutyPct >= 0 && dutyPct <= 100)) {
      throw new KabosuError('KBS_E_THERMAL_BAD_DUTY', `duty must be 0..100 (got ${dutyPct})`);
    }
    const duty = dutyPct ?? this.config.manualDuty;
    if (mode === 'manual' && duty < this.config.fan.minDuty) {
      // The interlock would power every board off once the fans stop (and keep them off): refuse
      // the command instead of stopping the miner by surprise.
      throw new KabosuError('KBS_E_THERMAL_BAD_DUTY', `duty ${duty} % is below the fans' minimum (thermal.fan.minDuty ${this.config.fan.minDuty} %)`, {
        hint: 'stopped fans power the hash boards off; for fanless (immersion) cooling use mode "immersion"',
      });
    }
    this.ctl.setMode(this.toMode(mode, dutyPct));
    if (this.interlockLimits) this.worker?.setLimits({ ...this.interlockLimits, immersion: mode === 'immersion' });
    return `fan mode ${mode}${mode === 'manual' ? ` at ${dutyPct ?? this.config.manualDuty} %` : ''}`;
  }

  /** Board `b`'s PCB temperature (TMP451 local readings), null when unknown or not running. */
  boardTempC(b: number): number | null {
    return this.ctl?.boardTempC(b) ?? null;
  }

  /** Board `b`'s hottest die temperature (what `hotC` limits), null when unknown or not running. */
  hottestDieC(b: number): number | null {
    return this.ctl?.hottestDieC(b) ?? null;
  }

  /** `hw`: defaults to the hardware and limits it runs with (updated by reload). */
  status(hw: ThermalHardware | undefined = this.hw): ThermalStatus | undefined {
    if (!this.ctl || !hw) return undefined;
    const s = this.ctl.snapshot();
    return {
      mode: s.mode, target_c: hw.limits.targetC, hot_c: hw.limits.hotC, dangerous_c: hw.limits.dangerousC,
      boards: s.boards.map((b) => {
        const temps = b.tempsC.filter((t): t is number => t !== null);
        const on = hw.power.isEnabled(b.board);
        return {
          index: b.board, chip_temp_c: temps.length ? Math.max(...temps) : null, board_temp_c: this.ctl!.boardTempC(b.board),
          state: b.tripped ? 'tripped' : !on ? 'off' : s.freqScale < 1 ? 'hot' : 'ok',
          throttle_pct: Math.round((1 - s.freqScale) * 100),
        };
      }),
      fans: s.fanRpm.map((rpm, i) => ({ index: i, rpm, duty_pct: s.fanDuty, ok: !s.fanFailed[i] })),
      interlock: { armed: true, trips: this.trips, last_trip: this.lastTrip, ...this.workerStatus() },
    };
  }
}
