/**
 * ThermalComponent: runs the ThermalController on the miner's hardware once mining has powered
 * the boards; fills `status.thermal`, plugs `setFanMode`, and raises DaemonEvents for interlock
 * trips, fan failures, throttling and boards ready for re-init.
 *
 * Limits come from the board definition (`hashBoard.thermal`); the config's thermal section sets
 * mode, manual duty and fan duty limits.
 */
import type { Logger } from 'pino';
import type { DaemonEvent, InterlockTrip, ThermalStatus } from '../core/minerApi';
import { KabosuError } from '../core/errors';
import type { Clock, GpioLine, I2cBus, Pwm, Tach } from '../hal/types';
import type { BoardPower } from '../power/boardPower';
import { DEFAULT_PID, limitsFor, type BoardThermal } from './defaults';
import { Fans } from './fans';
import { ThermalController, type FanMode } from './thermalController';

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
  manualDuty: number;
  fan: { minDuty: number; maxDuty: number };
}

export class ThermalComponent {
  readonly name = 'thermal';
  readonly critical = true;
  ctl?: ThermalController;
  private trips = 0;
  private lastTrip: InterlockTrip | null = null;

  constructor(private readonly o: {
    clock: Clock; log: Logger; config: ThermalConfigLike; hardware: () => ThermalHardware | undefined; raise: (e: DaemonEvent) => void;
    /** Applies the policy's frequency scale (1 = configured) to every running chain. */
    applyFreqScale?: (scale: number) => Promise<void>;
    /**
     * After a trip's cool-down: power the board again and re-initialise its chain; resolves true
     * when the chain came up clean (else the board must be left off and locked again).
     */
    reinitBoard?: (board: number) => Promise<boolean>;
  }) {}

  async start(): Promise<void> {
    const hw = this.o.hardware();
    if (!hw) {
      // No boards were powered (no hardware backend): nothing to protect, nothing to control.
      this.o.log.warn('no hash-board hardware: thermal control idle');
      return;
    }
    if (hw.limitsNote) this.o.log.warn(hw.limitsNote);
    const { policy, interlock } = limitsFor(hw.limits);
    const pid = { ...DEFAULT_PID, outMin: this.o.config.fan.minDuty, outMax: this.o.config.fan.maxDuty };
    const ctl = new ThermalController({
      clock: this.o.clock, log: this.o.log, power: hw.power, sensorBuses: hw.sensorBuses,
      fans: new Fans(hw.fans.pwm, hw.fans.tach), fanModels: hw.fanMaxRpm.map((maxRpm) => ({ maxRpm, startDuty: 10 })),
      interlock, policy, pid, tickMs: 250, resetLines: hw.resetLines,
    });
    const at = () => this.o.clock.now();
    ctl.events.on('trip', (t) => {
      this.trips++;
      this.lastTrip = { at_ms: t.atMs, board: t.board, reason: t.reason, message: t.detail };
      this.o.raise({ at_ms: t.atMs, severity: 'critical', source: 'interlock', kind: 'interlock_trip', message: `board ${t.board} powered off: ${t.reason} (${t.detail})`, data: { board: t.board, reason: t.reason } });
    }, this);
    ctl.events.on('fan_failed', (f) => this.o.raise({ at_ms: f.atMs, severity: f.failed ? 'critical' : 'info', source: 'thermal', kind: f.failed ? 'fan_failed' : 'fan_recovered', message: `fan ${f.fan} ${f.failed ? 'below its commanded speed' : 'recovered'}`, data: { fan: f.fan } }), this);
    ctl.events.on('throttle', (e) => {
      this.o.raise({ at_ms: e.atMs, severity: 'warning', source: 'thermal', kind: 'thermal_throttle', message: `frequency scale ${e.scale} (${e.level})`, data: { scale: e.scale, level: e.level } });
      this.o.applyFreqScale?.(e.scale).catch((err: unknown) => this.o.log.error({ err, scale: e.scale }, 'could not apply the thermal frequency scale'));
    }, this);
    ctl.events.on('reinit_ready', (e) => {
      this.o.raise({ at_ms: e.atMs, severity: 'info', source: 'interlock', kind: 'interlock_cooled', message: `board ${e.board} cooled down; re-initialising it`, data: { board: e.board } });
      const reinit = this.o.reinitBoard;
      if (!reinit || !ctl.release(e.board)) return;
      reinit(e.board).then(
        (ok) => this.o.raise({ at_ms: this.o.clock.now(), severity: ok ? 'info' : 'critical', source: 'interlock', kind: ok ? 'board_restored' : 'board_reinit_failed', message: ok ? `board ${e.board} re-initialised cleanly and hashing again` : `board ${e.board} did not re-initialise cleanly: left off`, data: { board: e.board } }),
        (err: unknown) => {
          this.o.log.error({ err, board: e.board }, 'board re-init after an interlock trip failed; powering it off');
          void hw.power.disable(e.board, 're-init failed after an interlock trip', { lock: true });
        },
      );
    }, this);
    this.ctl = ctl;
    ctl.setMode(this.toMode(this.o.config.mode, this.o.config.manualDuty));
    ctl.start();
    this.o.log.info({ limits: hw.limits, at: at() }, 'thermal control and safety interlock running');
  }

  async stop(): Promise<void> {
    this.ctl?.stop();
  }

  private toMode(mode: FanMode['mode'], duty?: number): FanMode {
    if (mode === 'manual') return { mode, duty: duty ?? this.o.config.manualDuty };
    return { mode };
  }

  async setFanMode(mode: FanMode['mode'], dutyPct?: number): Promise<string> {
    if (!this.ctl) throw new KabosuError('KBS_E_NOT_AVAILABLE', 'thermal control is not running');
    if (mode === 'manual' && dutyPct !== undefined && !(Number.isFinite(dutyPct) && dutyPct >= 0 && dutyPct <= 100)) {
      throw new KabosuError('KBS_E_THERMAL_BAD_DUTY', `duty must be 0..100 (got ${dutyPct})`);
    }
    this.ctl.setMode(this.toMode(mode, dutyPct));
    return `fan mode ${mode}${mode === 'manual' ? ` at ${dutyPct ?? this.o.config.manualDuty} %` : ''}`;
  }

  status(hw: ThermalHardware | undefined): ThermalStatus | undefined {
    if (!this.ctl || !hw) return undefined;
    const s = this.ctl.snapshot();
    return {
      mode: s.mode, target_c: hw.limits.targetC, hot_c: hw.limits.hotC, dangerous_c: hw.limits.dangerousC,
      boards: s.boards.map((b) => {
        const temps = b.tempsC.filter((t): t is number => t !== null);
        const on = hw.power.isEnabled(b.board);
        return {
          index: b.board, chip_temp_c: temps.length ? Math.max(...temps) : null, board_temp_c: null,
          state: b.tripped ? 'tripped' : !on ? 'off' : s.freqScale < 1 ? 'hot' : 'ok',
          throttle_pct: Math.round((1 - s.freqScale) * 100),
        };
      }),
      fans: s.fanRpm.map((rpm, i) => ({ index: i, rpm, duty_pct: s.fanDuty, ok: !s.fanFailed[i] })),
      interlock: { armed: true, trips: this.trips, last_trip: this.lastTrip },
    };
  }
}
