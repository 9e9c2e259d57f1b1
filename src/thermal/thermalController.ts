/**
 * The thermal controller: every tick it reads all sensors, fan tachs and regulators, asks
 * decide.ts for the tick's one decision (interlock, cool-down, fan health, policy, PID) and
 * carries it out: trips first (BoardPower off with lock, reset held low), then re-init
 * readiness, fan events, the throttle and the fan duty. It decides nothing itself.
 *
 * Re-enable after a trip: when a tripped board has been cool for the hold time the controller
 * emits `reinit_ready`; the owner of the chains re-initialises the board and calls
 * `release(board)`, which unlocks BoardPower. Nothing here powers a board on.
 */
import type { Logger } from 'pino';
import { TypedEmitter } from '../core/events';
import type { Clock, GpioLine, I2cBus, TimerHandle } from '../hal/types';
import type { BoardPower } from '../power/boardPower';
import { decideThermal, hottestReading, type FanMode, type ThermalState } from './decide';
import { fanHealthInit, type FanModel } from './fanHealth';
import type { Fans } from './fans';
import { nextReading, peerMean, type InterlockLimits, type SensorReading, type Trip } from './interlockRules';
import { pidInit, type PidOptions } from './pid';
import { policyInit, type PolicyLimits } from './policy';
import { readTmp451 } from '../hashboard/tmp451';

export { MIN_RUNNING_RPM, type FanMode } from './decide';

/** Which interlock tripped a board: the main thread's tick or the out-of-event-loop worker. */
export type InterlockPath = 'main' | 'worker';

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
  /** What the rules remember between ticks (decide.ts). */
  private s: ThermalState;
  private rpm: (number | null)[] = [];
  private mode: FanMode = { mode: 'auto' };
  private timer?: TimerHandle;
  private busy = false;
  private lastTickMs: number | null = null;

  constructor(private readonly o: ThermalOptions) {
    const n = o.sensorBuses.length;
    this.readings = o.sensorBuses.map((b) => b.map(() => null));
    this.pcbC = o.sensorBuses.map((b) => b.map(() => null));
    this.s = {
      tripped: Array.from({ length: n }, () => null),
      cool: Array.from({ length: n }, () => ({ coolSinceMs: null })),
      readyGiven: Array.from({ length: n }, () => false),
      fanHealth: o.fanModels.map(() => fanHealthInit()),
      policy: policyInit(o.clock.now()),
      pid: pidInit(o.pid, o.pid.outMax),
    };
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
    if (m.mode === 'auto') this.s = { ...this.s, pid: pidInit(this.o.pid, this.o.fans.commandedDuty) };
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
    if (this.s.tripped[board] === null || !this.s.readyGiven[board]) return false;
    this.s.tripped[board] = null;
    this.s.readyGiven[board] = false;
    this.s.cool[board] = { coolSinceMs: null };
    this.o.power.unlock(board);
    return true;
  }

  /**
   * A trip the worker-thread interlock already acted on (reset held low): the same path as a trip
   * of this controller's own (BoardPower lock, event, cool-down, re-init). False when the board
   * is already tripped here (the main thread saw it first).
   */
  async externalTrip(t: Trip): Promise<boolean> {
    if (this.s.tripped[t.board] === undefined || this.s.tripped[t.board] !== null) return false;
    this.s.tripped[t.board] = t.reason;
    this.s.readyGiven[t.board] = false;
    this.s.cool[t.board] = { coolSinceMs: null };
    await this.powerOff(t, this.o.clock.now(), 'worker');
    return true;
  }

  /** One controller pass (the timer calls it; tests may too). Overlapping ticks are skipped. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sample();
      const boards = await this.boardInputs();
      const now = this.o.clock.now();
      const dtS = this.lastTickMs === null ? this.o.tickMs / 1000 : (now - this.lastTickMs) / 1000;
      const { state, decision: d } = decideThermal(
        { interlock: this.o.interlock, policy: this.o.policy, pid: this.o.pid, fanModels: this.o.fanModels },
        this.s,
        { nowMs: now, dtS, mode: this.mode, boards, fanRpm: this.rpm, commandedDuty: this.o.fans.commandedDuty },
      );
      this.s = state;
      // Carried out in the decision's order: power off first.
      await Promise.all(d.trips.map((t) => this.powerOff(t, now)));
      for (const board of d.reinitReady) {
        this.o.log.info({ board, reason: this.s.tripped[board] }, 'cooled down: board may be re-initialised');
        this.events.emit('reinit_ready', { board, atMs: now });
      }
      for (const f of d.fanChanges) {
        this.o.log.warn({ fan: f.fan, failed: f.failed }, f.failed ? 'fan failed (tach below commanded)' : 'fan recovered');
        this.events.emit('fan_failed', { fan: f.fan, failed: f.failed, atMs: now });
      }
      if (d.throttleChanged) this.events.emit('throttle', { scale: d.freqScale, level: d.level, atMs: now });
      if (d.fanDuty !== null) await this.o.fans.setDuty(d.fanDuty);
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

  /** Every board's readings, power state and regulator health (read only while powered). */
  private async boardInputs() {
    return Promise.all(this.readings.map(async (sensors, board) => {
      const powered = this.o.power.isEnabled(board);
      const regOk = powered ? await this.regulatorOk(board) : true;
      return { board, powered, sensors, regulatorFault: !regOk };
    }));
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

  /** A trip carried out: event, reset held low, BoardPower off and locked. */
  private async powerOff(t: Trip, now: number, path: InterlockPath = 'main'): Promise<void> {
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
    return hottestReading(this.readings.map((sensors, board) => ({ board, powered: true, sensors, regulatorFault: false })));
  }

  snapshot(): ThermalSnapshot {
    return {
      mode: this.mode.mode,
      hottestC: this.hottestC(),
      targetC: this.o.policy.targetC,
      fanDuty: this.o.fans.commandedDuty,
      fanRpm: [...this.rpm],
      fanFailed: this.s.fanHealth.map((f) => f.failed),
      level: this.s.policy.level,
      freqScale: this.s.policy.scale,
      boards: this.readings.map((s, board) => ({ board, tempsC: s.map((r) => (r ? r.tempC : null)), pcbC: [...(this.pcbC[board] ?? [])], tripped: this.s.tripped[board] ?? null })),
    };
  }
}
