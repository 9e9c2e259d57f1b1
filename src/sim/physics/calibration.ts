/**
 * Derives the physics constants of a board from its definition so the stock machine reproduces
 * the published figures: hashrate (cores x freq x hashes/cycle) and wall power (dynamic C·V²·f +
 * leakage, through the regulator and PSU efficiencies, plus fans and controller), and the
 * board-to-air thermal conductance that gives the design temperature rise at the design fan duty.
 * Pure: board definition in, numbers out.
 */
import type { BoardDefinition } from '../../config/boardSchema';

export interface BoardCalibration {
  chipCount: number;
  stockChipV: number;
  stockFreqMHz: number;
  /** Chip input power at stock (frequency, voltage, reference die temperature). */
  stockChipPowerW: number;
  /** W per (V² · MHz). */
  dynamicCoeff: number;
  /** W per V at the reference die temperature. */
  leakageCoeff: number;
  /** Heat into one board at stock (chips plus regulator losses). */
  stockBoardHeatW: number;
  /** Board-to-air conductance at the design fan duty (W/K). */
  designConductanceWPerK: number;
  /** Fan part of the conductance at full airflow (W/K): G = G_nat + fanConductance x airflow^0.8. */
  fanConductanceWPerK: number;
  /** Fan electrical power at the design duty. */
  designFansW: number;
}

/** Conductance grows sub-linearly with airflow (forced convection, Nu ~ Re^0.8). */
export const AIRFLOW_EXPONENT = 0.8;

export function fanPowerW(maxPowerW: number, rpmFraction: number): number {
  const r = Math.max(0, Math.min(1, rpmFraction));
  return maxPowerW * r * r * r; // fan affinity law: power ~ speed³
}

export function calibrate(board: BoardDefinition): BoardCalibration {
  const hb = board.hashBoard;
  const sim = board.sim;
  const chipCount = hb.chains * hb.chipsPerChain;
  const stockChipV = hb.voltage.stockV / hb.voltage.domains;
  const stockFreqMHz = hb.freqMHz.stock;
  const designFansW = board.controller.fans.reduce((s, f) => s + fanPowerW(f.maxPowerW, sim.designFanDuty), 0);
  const dcW = board.published.wallPowerW * board.psu.efficiency - designFansW - sim.controllerW;
  if (dcW <= 0) throw new RangeError(`board ${board.id}: fans and controller exceed the published power`);
  const stockChipPowerW = (dcW * hb.regulator.efficiency) / chipCount;
  const leakW = stockChipPowerW * sim.leakageFraction;
  const dynamicCoeff = (stockChipPowerW - leakW) / (stockChipV * stockChipV * stockFreqMHz);
  const leakageCoeff = leakW / stockChipV;
  const stockBoardHeatW = (stockChipPowerW * hb.chipsPerChain) / hb.regulator.efficiency;
  const designConductanceWPerK = stockBoardHeatW / sim.designBoardRiseC;
  const fanConductanceWPerK = Math.max(0, designConductanceWPerK - sim.naturalConductanceWPerK) / Math.pow(sim.designFanDuty, AIRFLOW_EXPONENT);
  return {
    chipCount,
    stockChipV,
    stockFreqMHz,
    stockChipPowerW,
    dynamicCoeff,
    leakageCoeff,
    stockBoardHeatW,
    designConductanceWPerK,
    fanConductanceWPerK,
    designFansW,
  };
}

/** Board-to-air conductance for a mean fan speed (fraction of max RPM). */
export function conductanceWPerK(board: BoardDefinition, cal: BoardCalibration, airflowFraction: number): number {
  const a = Math.max(0, Math.min(1, airflowFraction));
  return board.sim.naturalConductanceWPerK + cal.fanConductanceWPerK * Math.pow(a, AIRFLOW_EXPONENT);
}
