/**
 * The thermal controller: every tick it reads all sensors and fan tachs, runs the safety
 * interlock rules (powering a board off through BoardPower with lock), the fan PID, the
 * hot/dangerous policy and fan-health detection. Pure decisions live in pid/policy/
 * interlockRules/fanHealth; this class only does I/O and bookkeeping.
 *
 * Re-enable after a trip: when a tripped board has been cool for the hold time the controller
 * emits `reinit_ready`; the owner of the chains re-initialises the board and calls
 * `release(board)`, which unlocks BoardPower. Nothing here powers a board on.
 */
import type { Logger } from 'pino';
import { TypedEmitter } from '../core/events';
import type { Clock, GpioLine, I2cBus, TimerHandle } from '../hal/types';
import type { BoardPower } from '../power/boardPower';
import { DEFAULT_FAN_HEALTH, fanHealthInit, fanHealthStep, type FanHealthState, type FanModel } from './fanHealth';
import type { Fans } from './fans';
import { coolDownStep, evaluateInterlock, nextReading, peerMean, type CoolDown, type InterlockLimits, type SensorReading, type Trip } from './interlockRules';
import { pidInit, pidStep, type PidOptions, type PidState } from './pid';
import { policyInit, policyStep, type PolicyLimits, type PolicyState } from './policy';
import { readTmp451 } from '../hashboard/tmp451';

/** A fan below this is stopped (the interlock's and the cool-down's line; mining's fan gate uses the same). */
export const MIN_RUNNING_RPM = 300;

/** Which interlock tripped a board: the main thread's tick or the out-of-event-loop worker. */
export type InterlockPath = 'main' | 'worker';

export type FanMode = { mode: 'auto' } | { mode: 'manual'; duty: number } | { mode: 'immersion' };

export interface ThermalEvents {
  /** `path`: which interlock saw it: this controller ('main') or the worker thread ('worker'). */
  trip: Trip & { atMs: number; path: InterlockPath };
  reinit_ready: { board: number; atMs: number };
  fan_failed: { fan: number; failed: boolean; atMs: number };
  throttle: { scale: number; level: string; atMs: number };
}

export interface ThermalOptions {
  clock: Clock;
  log: Logger;
  power: BoardPower;
  /** sensorBuses[board][k]: the bus of each TMP451 on the board. */
  sensorBuses: readonly (readonly I2cBus[])[];
  fans: Fans;
  fanModels: readonly FanModel[];
  interlock: Omit<InterlockLimits, 'immersion'>;
  policy: PolicyLimits;
  pid: PidOptions;
  tickMs: number;
  /**
   * Chain reset lines (active low). A trip also holds the board's reset low: a second path to
   * cut the hash chips' supply when the regulator does not answer. The re-init raises it again.
   */
  resetLines?: readonly GpioLine[];
  /** Regulator health per board: rejects or false = fault. Default: BoardPower's readVoltage answers. */
  regulatorOk?: (board: number) => Promise<boolean>;
}

export interface ThermalSnapshot {
  mode: FanMode['mode'];
  hottestC: number | null;
  targetC: number;
  fanDuty: number;
  fanRpm: (number | null)[];
  fanFailed: boolean[];
  level: string;
  freqScale: number;
  /** `pcbC`: each sensor's local (PCB) reading of the last tick, null when it did not answer. */
  boards: Array<{ board: number; tempsC: (number | null)[]; pcbC: (number | null)[]; tripped: string | null }>;
}

export class ThermalController {
  readonly events = new TypedEmitter<ThermalEvents>();
  private readonly readings: (SensorReading | null)[][];
  /** The last local (PCB) reading per sensor: the board temperature (tuning, status). */
  private pcbC: (number | null)[][];
  private readonly cool: CoolDown[];
  private readonly tripped: (string | null)[];
  private readonly readyEmitted: boolean[];
  private pidState: PidState;
  private policyState: PolicyState;
  private fanHealth: FanHealthState[];
  private rpm: (number | null)[] = [];
  private mode: FanMode = { mode: 'auto' };
  private timer?: TimerHandle;
  private busy = false;
  private lastTickMs: number | null = null;

  constructor(private readonly o: ThermalOptions) {
    const n = o.sensorBuses.length;
    this.readings = o.sensorBuses.map((b) => b.map(() => null));
    this.pcbC = o.sensorBuses.map((b) => b.map(() => null));
    this.cool = Array.from({ length: n }, () => ({ coolSinceMs: null }));
    this.tripped = Array.from({ length: n }, () => null);
    this.readyEmitted = Array.from({ length: n }, () => false);
    this.pidState = pidInit(o.pid, o.pid.outMax);
    this.policyState = policyInit(o.clock.now());
    this.fanHealth = o.fanModels.map(() => fanHealthInit());
  }

  start(): void {
    if (this.timer) return;
    this.setDuty(this.o.pid.outMax); // fail safe until the first reading
    // A tick that fails (a fan PWM write while the hal link is down) is logged, not left as an
    // unhandled rejection that ends the daemon: the interlock step ran first, and unreadable
    // sensors or stopped fans trip the boards on the next ticks.
    this.timer = this.o.clock.setInterval(() => void this.tick().catch((err: unknown) => this.o.log.error({ err }, 'thermal tick failed')), this.o.tickMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  setMode(m: FanMode): void {
    this.mode = m;
    if (m.mode === 'manual') this.setDuty(m.duty);
    if (m.mode === 'immersion') this.setDuty(0);
    if (m.mode === 'auto') this.pidState = pidInit(this.o.pid, this.o.fans.commandedDuty);
  }

  private setDuty(pct: number): void {
    this.o.fans.setDuty(pct).catch((err: unknown) => this.o.log.error({ err, duty: pct }, 'could not set the fan duty'));
  }

  /** New limits (thermal config hot reload); the PID keeps its state. */
  setLimits(interlock: Omit<InterlockLimits, 'immersion'>, policy: PolicyLimits, pid?: PidOptions): void {
    this.o.interlock = interlock;
    this.o.policy = policy;
    if (pid) this.o.pid = pid;
  }

  /** The chain owner re-initialised the board cleanly: the interlock lets it be powered again. */
  release(board: number): boolean {
    if (this.tripped[board] === null || !this.readyEmitted[board]) return false;
    this.tripped[board] = null;
    this.readyEmitted[board] = false;
    this.cool[board] = { coolSinceMs: null };
    this.o.power.unlock(board);
    return true;
  }

  /**
   * A trip the worker-thread interlock already acted on (reset held low): the same path as a trip
   * of this controller's own (BoardPower lock, event, cool-down, re-init). False when the board
   * is already tripped here (the main thread saw it first).
   */
  async externalTrip(t: Trip): Promise<boolean> {
    if (this.tripped[t.board] === undefined || this.tripped[t.board] !== null) return false;
    await this.trip(t, this.o.clock.now(), 'worker');
    return true;
  }

  /** One controller pass (the timer calls it; tests may too). Overlapping ticks are skipped. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sample();
      const now = this.o.clock.now();
      await this.safety(now);
      this.cooling(now);
      await this.control(now);
      this.lastTickMs = now;
    } finally {
      this.busy = false;
    }
  }

  private async sample(): Promise<void> {
    const fresh: (number | null)[][] = this.o.sensorBuses.map((buses) => buses.map(() => null));
    const pcb: (number | null)[][] = this.o.sensorBuses.map((buses) => buses.map(() => null));
    const jobs: Promise<void>[] = [];
    this.o.sensorBuses.forEach((buses, b) => buses.forEach((bus, k) => {
      // The hotter of die (remote) and PCB (local) is what protection uses; the local reading
      // alone is the board (PCB) temperature.
      jobs.push(readTmp451(bus).then((r) => { fresh[b][k] = Math.max(r.remoteC, r.localC); pcb[b][k] = r.localC; }, () => undefined)); // no reading: it goes stale
    }));
    jobs.push(this.o.fans.readRpm().then((r) => { this.rpm = r; }));
    await Promise.all(jobs);
    const now = this.o.clock.now();
    const inputs = this.readings.map((sensors, board) => ({ board, powered: true, sensors, regulatorFault: false }));
    const next = this.readings.map((sensors, b) => sensors.map((prev, k) => {
      const t = fresh[b][k];
      return t === null ? prev : nextReading(prev, t, now, peerMean(inputs, prev));
    }));
    next.forEach((s, b) => { this.readings[b] = s; });
    this.pcbC = pcb;
  }

  /**
   * The board (PCB) temperature: the hottest local reading of the board's sensors in the last
   * tick, null when none answered or a reading is implausible (the interlock acts on those).
   */
  boardTempC(board: number): number | null {
    const lim = this.o.interlock;
    const xs = this.pcbC[board];
    if (!xs || xs.length === 0 || xs.some((t) => t === null || !(t >= lim.minPlausibleC && t <= lim.maxPlausibleC))) return null;
    return Math.max(...(xs as number[]));
  }

  private async safety(now: number): Promise<void> {
    const boards = await Promise.all(this.readings.map(async (sensors, board) => {
      const powered = this.o.power.isEnabled(board);
      const regOk = powered ? await this.regulatorOk(board) : true;
      return { board, powered, sensors, regulatorFault: !regOk };
    }));
    const limits: InterlockLimits = { ...this.o.interlock, immersion: this.mode.mode === 'immersion' };
    const trips = evaluateInterlock(limits, boards, { rpm: this.rpm, duty: this.o.fans.commandedDuty, minRunningRpm: MIN_RUNNING_RPM }, now);
    // A board tripped while this tick read (the worker's trip) is already on its way off: trip()
    // always ends with BoardPower reporting it off, so it is not tripped twice.
    await Promise.all(trips.filter((t) => this.tripped[t.board] === null).map((t) => this.trip(t, now)));
  }

  private async regulatorOk(board: number): Promise<boolean> {
    try {
      if (this.o.regulatorOk) return await this.o.regulatorOk(board);
      await this.o.power.regulators[board].readVoltage();
      return true;
    } catch {
      return false;
    }
  }

  private async trip(t: Trip, now: number, path: InterlockPath = 'main'): Promise<void> {
    this.tripped[t.board] = t.reason;
    this.readyEmitted[t.board] = false;
    this.cool[t.board] = { coolSinceMs: null };
    this.o.log.error({ board: t.board, reason: t.reason, detail: t.detail, path }, 'safety interlock: board powered off');
    this.events.emit('trip', { ...t, atMs: now, path });
    const reset = this.o.resetLines?.[t.board];
    if (reset) await reset.write(0).catch((err: unknown) => this.o.log.error({ board: t.board, err }, 'interlock could not hold reset low'));
    try {
      await this.o.power.disable(t.board, `interlock: ${t.reason}`, { lock: true });
    } catch (err) {
      // disable() already locked the board and stopped the PIC heartbeat (its watchdog cuts power).
      this.o.log.error({ board: t.board, err }, 'interlock could not confirm power-off; PIC heartbeat stopped');
    }
  }

  private cooling(now: number): void {
    const limits: InterlockLimits = { ...this.o.interlock, immersion: this.mode.mode === 'immersion' };
    this.tripped.forEach((reason, board) => {
      if (reason === null || this.readyEmitted[board]) return;
      const r = coolDownStep(limits, this.cool[board], this.readings[board], { rpm: this.rpm, minRunningRpm: MIN_RUNNING_RPM }, now);
      this.cool[board] = r.state;
      if (r.ready) {
        this.readyEmitted[board] = true;
        this.o.log.info({ board, reason }, 'cooled down: board may be re-initialised');
        this.events.emit('reinit_ready', { board, atMs: now });
      }
    });
  }

  /**
   * Board `board`'s hottest die (sensor remote) reading: the temperature `hotC` limits, the one
   * the policy and the tuner judge. Null when none of the board's sensors has a reading.
   */
  hottestDieC(board: number): number | null {
    let max: number | null = null;
    for (const r of this.readings[board] ?? []) if (r && (max === null || r.tempC > max)) max = r.tempC;
    return max;
  }

  hottestC(): number | null {
    let max: number | null = null;
    for (const sensors of this.readings) for (const r of sensors) if (r && (max === null || r.tempC > max)) max = r.tempC;
    return max;
  }

  private async control(now: number): Promise<void> {
    const hottest = this.hottestC();
    const dtS = this.lastTickMs === null ? this.o.tickMs / 1000 : (now - this.lastTickMs) / 1000;
    this.o.fanModels.forEach((m, i) => {
      const r = fanHealthStep(DEFAULT_FAN_HEALTH, m, this.fanHealth[i], this.o.fans.commandedDuty, this.rpm[i] ?? null, now);
      this.fanHealth[i] = r.state;
      if (r.changed) {
        this.o.log.warn({ fan: i, failed: r.state.failed }, r.state.failed ? 'fan failed (tach below commanded)' : 'fan recovered');
        this.events.emit('fan_failed', { fan: i, failed: r.state.failed, atMs: now });
      }
    });
    if (hottest === null) return;
    const p = policyStep(this.o.policy, this.policyState, hottest, now);
    this.policyState = p.state;
    if (p.action.kind === 'throttle' || p.action.kind === 'restore' || p.action.kind === 'cooled') {
      this.events.emit('throttle', { scale: p.state.scale, level: p.state.level, atMs: now });
    }
    if (this.mode.mode !== 'auto') return;
    this.pidState = pidStep(this.o.pid, this.pidState, this.o.policy.targetC, hottest, dtS);
    if (Math.abs(this.pidState.output - this.o.fans.commandedDuty) >= 0.05) await this.o.fans.setDuty(this.pidState.output);
  }

  snapshot(): ThermalSnapshot {
    return {
      mode: this.mode.mode,
      hottestC: this.hottestC(),
      targetC: this.o.policy.targetC,
      fanDuty: this.o.fans.commandedDuty,
      fanRpm: [...this.rpm],
      fanFailed: this.fanHealth.map((f) => f.failed),
      level: this.policyState.level,
      freqScale: this.policyState.scale,
      boards: this.readings.map((s, board) => ({ board, tempsC: s.map((r) => (r ? r.tempC : null)), pcbC: [...(this.pcbC[board] ?? [])], tripped: this.tripped[board] })),
    };
  }
}
