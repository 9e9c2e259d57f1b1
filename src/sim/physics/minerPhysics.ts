/**
 * The physics of a whole simulated miner: per chain the chips (seeded), the board supply
 * voltage and power state, and the thermal node; shared fans and ambient air; PSU efficiency.
 * `step(dtMs, freqOf)` advances everything by dtMs for the chip frequencies the chain emulation
 * reports. Pure (no clock, no I/O): the board composition calls it from its timer.
 */
import type { BoardDefinition } from '../../config/boardSchema';
import { calibrate, conductanceWPerK } from './calibration';
import type { BoardCalibration } from './calibration';
import type { ChipModel } from './chipModel';
import { drawChips } from './chipPopulation';
import { FanModel } from './fan';
import { BoardThermal, dieTemperatureC } from './thermal';

/** Below this share of the board's minimum voltage the chips brown out (no supply). */
export const BROWN_OUT_FRACTION = 0.85;

export interface ChainPhysics {
  readonly index: number;
  readonly chips: ChipModel[];
  readonly thermal: BoardThermal;
  /** Regulator output set point (V), before PSU sag. */
  setpointV: number;
  /** Regulator enabled and healthy, board plugged. */
  enabled: boolean;
  /** Chip power per position from the last step. */
  readonly chipPowerW: Float64Array;
  /** Heat into the board from the last step (chips + regulator losses). */
  heatW: number;
}

export interface ChainReading {
  chain: number;
  powered: boolean;
  boardV: number;
  hashrateHps: number;
  heatW: number;
  boardC: number;
  maxDieC: number;
}

export class MinerPhysics {
  readonly cal: BoardCalibration;
  readonly chains: ChainPhysics[] = [];
  readonly fans: FanModel[];
  ambientC: number;
  /** PSU output as a fraction of nominal (1 = healthy; a sag lowers every board's voltage). */
  supplyScale = 1;

  constructor(
    readonly board: BoardDefinition,
    readonly seed: number,
    ambientC: number,
  ) {
    this.cal = calibrate(board);
    this.ambientC = ambientC;
    const hb = board.hashBoard;
    for (let c = 0; c < hb.chains; c++) {
      this.chains.push({
        index: c,
        chips: drawChips(board, this.cal, seed, c),
        thermal: new BoardThermal(board.sim.boardHeatCapacityJPerK, ambientC),
        setpointV: hb.voltage.stockV,
        enabled: false,
        chipPowerW: new Float64Array(hb.chipsPerChain),
        heatW: 0,
      });
    }
    this.fans = board.controller.fans.map((f) => new FanModel(f.maxRpm, f.pulsesPerRev, f.maxPowerW, board.sim.fanTimeConstantMs));
    for (const c of this.chains) this.applyConditions(c);
  }

  /** Voltage the chips of this chain see now (0 when off or browned out). */
  boardVoltage(chain: number): number {
    const c = this.chainAt(chain);
    if (!c.enabled) return 0;
    return c.setpointV * this.supplyScale;
  }

  /** The `ChainSupply.powered()` answer: enabled and above brown-out. */
  powered(chain: number): boolean {
    const v = this.boardVoltage(chain);
    return v > 0 && v >= this.board.hashBoard.voltage.minV * BROWN_OUT_FRACTION;
  }

  /** Mean fan speed as a fraction of maximum (the airflow through every board). */
  airflowFraction(): number {
    if (this.fans.length === 0) return 0;
    return this.fans.reduce((s, f) => s + f.rpm / f.maxRpm, 0) / this.fans.length;
  }

  /** Advances the physics by dtMs; freqOf(chain, chip) is the chip's PLL frequency now. */
  step(dtMs: number, freqOf: (chain: number, chip: number) => number): void {
    for (const f of this.fans) f.step(dtMs);
    const g = conductanceWPerK(this.board, this.cal, this.airflowFraction());
    const reg = this.board.hashBoard.regulator.efficiency;
    for (const c of this.chains) {
      const on = this.powered(c.index);
      let sum = 0;
      for (let i = 0; i < c.chips.length; i++) {
        const p = c.chips[i]!.powerW(on ? freqOf(c.index, i) : 0, on);
        c.chipPowerW[i] = p;
        sum += p;
      }
      c.heatW = sum / reg;
      c.thermal.step(dtMs, c.heatW, this.ambientC, g);
      this.applyConditions(c, g);
    }
  }

  /** Re-applies supply voltage and temperatures to the chips now (after a supply change). */
  refresh(chain: number): void {
    this.applyConditions(this.chainAt(chain));
  }

  /** Recomputes chip voltage and die temperatures from the board state. */
  private applyConditions(c: ChainPhysics, g = conductanceWPerK(this.board, this.cal, this.airflowFraction())): void {
    const sim = this.board.sim;
    const chipV = this.powered(c.index) ? this.boardVoltage(c.index) / this.board.hashBoard.voltage.domains : 0;
    const scale = (c.heatW / this.cal.stockBoardHeatW) * (this.cal.designConductanceWPerK / g);
    const n = c.chips.length;
    for (let i = 0; i < n; i++) {
      const die = dieTemperatureC(c.thermal.temperatureC, c.chipPowerW[i]!, sim.dieRiseCPerW, sim.airflowGradientC, i, n, scale);
      c.chips[i]!.setConditions(chipV, die);
    }
  }

  /** Wall power: boards, fans and controller through the PSU. */
  wallPowerW(): number {
    const boards = this.chains.reduce((s, c) => s + c.heatW, 0);
    const fans = this.fans.reduce((s, f) => s + f.powerW(), 0);
    return (boards + fans + this.board.sim.controllerW) / this.board.psu.efficiency;
  }

  reading(chain: number, freqOf: (chain: number, chip: number) => number): ChainReading {
    const c = this.chainAt(chain);
    const on = this.powered(chain);
    let h = 0;
    let maxDie = -Infinity;
    for (let i = 0; i < c.chips.length; i++) {
      const chip = c.chips[i]!;
      if (on && chip.responsive(freqOf(chain, i))) h += chip.hashrateHps(freqOf(chain, i));
      maxDie = Math.max(maxDie, chip.temperatureC);
    }
    return { chain, powered: on, boardV: this.boardVoltage(chain), hashrateHps: h, heatW: c.heatW, boardC: c.thermal.temperatureC, maxDieC: maxDie };
  }

  chainAt(chain: number): ChainPhysics {
    const c = this.chains[chain];
    if (!c) throw new RangeError(`no chain ${chain} (board has ${this.chains.length})`);
    return c;
  }
}
