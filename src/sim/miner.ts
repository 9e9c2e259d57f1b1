/**
 * A whole simulated miner from a board definition and a seed: N hash boards (chains), shared
 * fans and PSU, the controller's I2C bus(es), GPIO lines and fan PWM/tach, physics stepped on the
 * injected clock, faults, and the control surface (true state, faults, oracle). `createSimMiner`
 * is the one factory the daemon and `kabosu sim run` call.
 */
import type { Logger } from 'pino';
import type { BoardDefinition } from '../config/boardSchema';
import { loadBoard } from '../config/boardLoader';
import { getChipFamily } from '../chips';
import { KabosuError } from '../core/errors';
import type { Clock, GpioLine, Pwm, Tach, TimerHandle, Uart } from '../hal/types';
import { SimGpioLine } from '../hal/sim/gpio';
import { SimI2cBus } from '../hal/sim/i2c';
import { SimPwm } from '../hal/sim/pwm';
import { SimTach } from '../hal/sim/tach';
import { SimHashBoard } from './board';
import { ptyChainFactory, streamChainFactory } from './chainSeam';
import type { ChainFactory } from './chainSeam';
import { PmbusPsu } from './devices/pmbusPsu';
import { FaultInjector } from './faults/faultInjector';
import type { ActiveFault } from './faults/faultInjector';
import type { FaultSpec, ScenarioStep } from './faults/faultSpec';
import { solveOracle } from './oracle';
import type { OracleOptions, OracleResult, OracleTarget } from './oracle';
import { MinerPhysics } from './physics/minerPhysics';
import { minerState } from './state';
import type { SimState } from './state';

export interface SimMinerOptions {
  /** A built-in board id (board/*.json); or pass `board`. */
  boardId?: string;
  board?: BoardDefinition;
  seed: number;
  pow?: 'scrypt' | 'scrypt-sim';
  clock: Clock;
  /** 'stream': in-process Uarts; 'pty': a PTY path per chain (needs a PTY-capable chainFactory). */
  transport?: 'stream' | 'pty';
  ambientC?: number;
  /** Physics runs this many times faster than the clock (thermal and fan time only). */
  timeScale?: number;
  /** Physics step on the clock (default 500 ms). */
  stepMs?: number;
  /** UART bytes take their wire time at the line's baud (default true). */
  pacedUart?: boolean;
  chainFactory?: ChainFactory;
  logger?: Logger;
}

/** The firmware-side handles: everything the daemon reaches through `hal`. */
export interface SimMinerHal {
  /** One per chain (transport 'stream'). */
  uarts: Uart[];
  /** One per chain (transport 'pty'). */
  ptyPaths: string[];
  /** Controller I2C buses, indexed as the board definition's controller.i2cBuses. */
  i2c: SimI2cBus[];
  /** Per chain, per sensor chip: that chip's I2C master bus (the sensor answers at its address). */
  sensorBuses: SimI2cBus[][];
  gpio: { reset: GpioLine[]; present: GpioLine[]; led: { red: GpioLine; green: GpioLine }; beeper: GpioLine | null };
  fans: { pwm: Pwm[]; tach: Tach[] };
}

/** The simulator's side: truth and fault control (never called by the firmware). */
export interface SimControl {
  state(): SimState;
  inject(spec: FaultSpec): ActiveFault;
  clear(id: number): boolean;
  clearAll(): number;
  faults(): ActiveFault[];
  schedule(steps: ScenarioStep[]): number;
  oracle(target: OracleTarget, opts?: Partial<OracleOptions>): OracleResult;
}

export class SimMiner {
  readonly board: BoardDefinition;
  readonly physics: MinerPhysics;
  readonly boards: SimHashBoard[] = [];
  readonly hal: SimMinerHal;
  readonly control: SimControl;
  readonly faults: FaultInjector;
  private readonly clock: Clock;
  private readonly stepMs: number;
  private readonly timeScale: number;
  private timer: TimerHandle | null = null;
  private readonly closers: Array<() => Promise<void>> = [];
  private readonly log?: Logger;
  readonly startedAtMs: number;
  readonly seed: number;

  constructor(o: SimMinerOptions) {
    if (!o.board && !o.boardId) throw new KabosuError('KBS_E_SIM_OPTIONS', 'createSimMiner needs boardId or board');
    this.board = o.board ?? loadBoard(o.boardId!);
    if (!Number.isInteger(o.seed)) throw new KabosuError('KBS_E_SIM_OPTIONS', `seed must be an integer, got ${String(o.seed)}`);
    this.seed = o.seed;
    this.clock = o.clock;
    this.log = o.logger;
    this.stepMs = o.stepMs ?? 500;
    this.timeScale = o.timeScale ?? 1;
    if (!(this.stepMs > 0) || !(this.timeScale > 0)) throw new KabosuError('KBS_E_SIM_OPTIONS', 'stepMs and timeScale must be positive');
    this.startedAtMs = o.clock.now();
    const b = this.board;
    this.physics = new MinerPhysics(b, o.seed, o.ambientC ?? 25);
    const buses = b.controller.i2cBuses.map((p) => new SimI2cBus(p));
    const factory = o.chainFactory ?? (o.transport === 'pty' ? ptyChainFactory : streamChainFactory);
    for (let c = 0; c < b.hashBoard.chains; c++) {
      this.boards.push(
        new SimHashBoard({
          index: c,
          board: b,
          physics: this.physics,
          clock: o.clock,
          controllerBus: buses[b.hashBoard.regulator.bus]!,
          chainFactory: factory,
          seed: o.seed,
          pow: o.pow ?? 'scrypt-sim',
          paced: o.pacedUart ?? true,
        }),
      );
    }
    if (b.hashBoard.eeprom && b.hashBoard.eeprom.bus !== b.hashBoard.regulator.bus) {
      throw new KabosuError('KBS_E_SIM_OPTIONS', 'the simulator puts the EEPROM on the regulator bus; a board with them apart is not supported yet');
    }
    const tel = b.psu.telemetry;
    if (tel) {
      buses[tel.bus]!.attach(tel.address, new PmbusPsu(() => this.psuReadings()));
    }
    // One PWM per distinct PWM path (the L3+ drives both fans from one), one tach per fan.
    const pwmByPath = new Map<string, SimPwm>();
    b.controller.fans.forEach((f, i) => {
      let pwm = pwmByPath.get(f.pwm);
      if (!pwm) {
        pwm = new SimPwm(f.pwm, 1);
        pwmByPath.set(f.pwm, pwm);
      }
      const fan = this.physics.fans[i]!;
      pwm.onChange((d) => fan.setDuty(d));
    });
    const g = b.controller.gpio;
    this.hal = {
      uarts: this.boards.map((x) => x.built.uart).filter((u): u is Uart => u !== undefined),
      ptyPaths: this.boards.map((x) => x.built.ptyPath).filter((p): p is string => p !== undefined),
      i2c: buses,
      sensorBuses: this.boards.map((x) => x.sensors.map((s) => s.bus)),
      gpio: {
        reset: this.boards.map((x) => x.resetLine),
        present: this.boards.map((x) => x.presentLine),
        led: { red: new SimGpioLine(`gpio${g.ledRed}`, 'out', 0), green: new SimGpioLine(`gpio${g.ledGreen}`, 'out', 0) },
        beeper: g.beeper === null ? null : new SimGpioLine(`gpio${g.beeper}`, 'out', 0),
      },
      fans: {
        pwm: [...pwmByPath.values()],
        tach: this.physics.fans.map((f, i) => new SimTach(`fan${i}`, () => f.tachRpm())),
      },
    };
    for (const x of this.boards) if (x.built.close) this.closers.push(x.built.close);
    this.faults = new FaultInjector({ clock: o.clock, physics: this.physics, boards: this.boards });
    this.control = {
      state: () => this.state(),
      inject: (spec) => {
        const f = this.faults.inject(spec);
        this.log?.info({ fault: f.fault, target: f.target, params: f.params, id: f.id }, 'fault injected');
        return f;
      },
      clear: (id) => {
        const ok = this.faults.clear(id);
        if (ok) this.log?.info({ id }, 'fault cleared');
        return ok;
      },
      clearAll: () => {
        const n = this.faults.clearAll();
        if (n > 0) this.log?.info({ cleared: n }, 'faults cleared');
        return n;
      },
      faults: () => this.faults.list(),
      schedule: (steps) => this.faults.schedule(steps),
      oracle: (target, opts) => this.oracle(target, opts),
    };
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts physics stepping on the clock. Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = this.clock.setInterval(() => this.tick(this.stepMs * this.timeScale), this.stepMs);
    this.log?.info({ board: this.board.id, seed: this.seed, chains: this.boards.length }, 'simulator started');
  }

  /** Pauses physics stepping (chains keep running; `start()` resumes). */
  pause(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Stops stepping, stops the chains and closes the transports. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.faults.dispose();
    for (const b of this.boards) b.stop();
    for (const c of this.closers.splice(0)) await c();
    this.log?.info({ board: this.board.id }, 'simulator stopped');
  }

  /** One physics step of dtMs simulated time (the timer calls this; tests may too). */
  tick(dtMs: number): void {
    for (const b of this.boards) b.tick();
    const freqs = this.boards.map((b) => b.chipFreqsMHz());
    this.physics.step(dtMs, (chain, chip) => freqs[chain]![chip]!);
  }

  state(): SimState {
    return minerState(this, this.clock.now());
  }

  oracle(target: OracleTarget, opts: Partial<OracleOptions> = {}): OracleResult {
    const pll = getChipFamily(this.board.hashBoard.chipFamily);
    return solveOracle(this.board, this.physics.cal, this.physics.chains.map((c) => c.chips.map((x) => x.k)), target, {
      ambientC: this.physics.ambientC,
      achievableMHz: (mhz) => pll.pllFor(mhz).freqMHz,
      ...opts,
    });
  }

  private psuReadings(): { vinV: number; voutV: number; pinW: number; poutW: number } {
    const pin = this.physics.wallPowerW();
    return { vinV: 230, voutV: 12 * this.physics.supplyScale, pinW: pin, poutW: pin * this.board.psu.efficiency };
  }
}

/** The factory the daemon calls. */
export function createSimMiner(o: SimMinerOptions): SimMiner {
  return new SimMiner(o);
}
