/**
 * The oracle: from the simulator's hidden truth (each chip's stable limit, power constants and
 * the thermal model), the best per-chip frequencies and per-board voltage for a target, and the
 * hashrate, wall power and efficiency they give. The tuner is scored against it; the firmware
 * never sees it (control API only).
 *
 * Method. Per board, every regulator code in the board's voltage range and a ladder of frequency
 * scales gives a candidate: each chip at the highest frequency whose HW-error probability stays
 * within `hwLimit` at its steady-state die temperature (a fixed point of power -> temperature ->
 * stable limit), times the scale. Candidates breaking the thermal limit are dropped. Boards are
 * then combined on the Lagrangian frontier (each board maximises H - λ·P for a sweep of λ), and
 * the target picks from the frontier: max hashrate, max hashrate under a wall-power cap, or
 * min J/MH with a hashrate floor. Pure: inputs in, result out.
 */
import type { BoardDefinition } from '../config/boardSchema';
import { conductanceWPerK, fanPowerW } from './physics/calibration';
import type { BoardCalibration } from './physics/calibration';
import { chipPowerW, freqForHwErrorMHz, hwErrorProbabilityAt, stableLimitMHz } from './physics/chipModel';
import type { ChipConstants } from './physics/chipModel';
import { dieTemperatureC } from './physics/thermal';

export type OracleTarget = { kind: 'hashrate' } | { kind: 'power'; maxPowerW: number } | { kind: 'efficiency'; minHashrateHps: number };

export interface OracleOptions {
  ambientC: number;
  /** Fan duty assumed for every fan (default 1: full airflow). */
  fanDuty?: number;
  /** Highest acceptable HW-error probability per chip (default 0.001). */
  hwLimit?: number;
  /** Frequencies are floored to this step (default 1 MHz). */
  freqStepMHz?: number;
  /** Highest acceptable board (PCB) temperature (default the board's hotC). */
  maxBoardC?: number;
}

export interface OracleBoard {
  chain: number;
  regulatorCode: number;
  voltageV: number;
  freqsMHz: number[];
  hashrateHps: number;
  /** Heat into the board (chip power through the regulator). */
  powerW: number;
  boardC: number;
  maxDieC: number;
}

export interface OracleResult {
  target: OracleTarget;
  feasible: boolean;
  boards: OracleBoard[];
  hashrateHps: number;
  wallPowerW: number;
  efficiencyJPerMH: number;
  assumptions: { ambientC: number; fanDuty: number; hwLimit: number; freqStepMHz: number; maxBoardC: number };
}

const SCALES = [1, 0.96, 0.92, 0.88, 0.84, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5];

export function solveOracle(board: BoardDefinition, cal: BoardCalibration, chips: ChipConstants[][], target: OracleTarget, opts: OracleOptions): OracleResult {
  const fanDuty = opts.fanDuty ?? 1;
  const hwLimit = opts.hwLimit ?? 0.001;
  const step = opts.freqStepMHz ?? 1;
  const maxBoardC = opts.maxBoardC ?? board.hashBoard.thermal.hotC;
  const fanRpmFraction = fanDuty < 0.1 ? 0 : fanDuty;
  const g = conductanceWPerK(board, cal, fanRpmFraction);
  const overheadW = board.controller.fans.reduce((s, f) => s + fanPowerW(f.maxPowerW, fanRpmFraction), 0) + board.sim.controllerW;
  const psu = board.psu.efficiency;
  const perBoard = chips.map((c, i) => candidates(board, cal, c, i, { ambientC: opts.ambientC, g, hwLimit, step, maxBoardC }));
  const wall = (heat: number): number => (heat + overheadW) / psu;

  const pick = (lambda: number): OracleBoard[] | null => {
    const out: OracleBoard[] = [];
    for (const cands of perBoard) {
      let best: OracleBoard | null = null;
      let bestScore = -Infinity;
      for (const c of cands) {
        const score = c.hashrateHps - lambda * c.powerW - 1e-9 * c.powerW;
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      if (!best) return null;
      out.push(best);
    }
    return out;
  };
  const frontier: OracleBoard[][] = [];
  const zero = pick(0);
  if (zero) frontier.push(zero);
  for (let e = 0; e <= 240; e++) {
    const f = pick(10 ** (e / 20)); // λ from 1 to 1e12 H/s per W
    if (f) frontier.push(f);
  }
  const total = (bs: OracleBoard[]): { h: number; w: number } => {
    const heat = bs.reduce((s, b) => s + b.powerW, 0);
    return { h: bs.reduce((s, b) => s + b.hashrateHps, 0), w: wall(heat) };
  };
  let chosen: OracleBoard[] | undefined;
  let feasible = frontier.length > 0;
  if (target.kind === 'hashrate') {
    chosen = frontier[0];
  } else if (target.kind === 'power') {
    const ok = frontier.filter((f) => total(f).w <= target.maxPowerW);
    chosen = best(ok, (f) => total(f).h);
    if (!chosen) {
      feasible = false;
      chosen = best(frontier, (f) => -total(f).w);
    }
  } else {
    const ok = frontier.filter((f) => total(f).h >= target.minHashrateHps);
    chosen = best(ok, (f) => -total(f).w / total(f).h);
    if (!chosen) {
      feasible = false;
      chosen = frontier[0];
    }
  }
  const boards = chosen ?? [];
  const t = total(boards);
  return {
    target,
    feasible: feasible && boards.length === chips.length,
    boards,
    hashrateHps: t.h,
    wallPowerW: boards.length ? t.w : 0,
    efficiencyJPerMH: t.h > 0 ? t.w / (t.h / 1e6) : Infinity,
    assumptions: { ambientC: opts.ambientC, fanDuty, hwLimit, freqStepMHz: step, maxBoardC },
  };
}

function best<T>(xs: T[], score: (x: T) => number): T | undefined {
  let b: T | undefined;
  let s = -Infinity;
  for (const x of xs) {
    const v = score(x);
    if (v > s) {
      s = v;
      b = x;
    }
  }
  return b;
}

interface CandidateEnv {
  ambientC: number;
  g: number;
  hwLimit: number;
  step: number;
  maxBoardC: number;
}

function candidates(board: BoardDefinition, cal: BoardCalibration, chips: ChipConstants[], chain: number, env: CandidateEnv): OracleBoard[] {
  const hb = board.hashBoard;
  const reg = hb.regulator;
  const out: OracleBoard[] = [];
  for (let code = 0; code <= 254; code++) {
    const v = reg.codeOffsetV + reg.codeSlopeV * code;
    if (v < hb.voltage.minV - 1e-9 || v > hb.voltage.maxV + 1e-9) continue;
    for (const scale of SCALES) {
      const c = steadyCandidate(board, cal, chips, chain, code, v, scale, env);
      if (c) out.push(c);
    }
  }
  return out;
}

/** One candidate at a voltage and scale, iterated to thermal steady state; null when infeasible. */
function steadyCandidate(
  board: BoardDefinition,
  cal: BoardCalibration,
  chips: ChipConstants[],
  chain: number,
  code: number,
  boardV: number,
  scale: number,
  env: CandidateEnv,
): OracleBoard | null {
  const hb = board.hashBoard;
  const sim = board.sim;
  const n = chips.length;
  const chipV = boardV / hb.voltage.domains;
  const die = new Float64Array(n).fill(env.ambientC + sim.designBoardRiseC);
  const freqs = new Array<number>(n).fill(0);
  const power = new Float64Array(n);
  let boardC = env.ambientC;
  for (let iter = 0; iter < 5; iter++) {
    let heat = 0;
    for (let i = 0; i < n; i++) {
      const k = chips[i]!;
      const limit = stableLimitMHz(k, chipV, die[i]!);
      const stable = Math.min(hb.freqMHz.max, freqForHwErrorMHz(k, limit, env.hwLimit));
      const f = Math.floor((stable * scale) / env.step) * env.step;
      if (f < hb.freqMHz.min) return null;
      freqs[i] = f;
      power[i] = chipPowerW(k, f, chipV, die[i]!);
      heat += power[i]!;
    }
    const boardHeat = heat / hb.regulator.efficiency;
    boardC = env.ambientC + boardHeat / env.g;
    const gradient = (boardHeat / cal.stockBoardHeatW) * (cal.designConductanceWPerK / env.g);
    for (let i = 0; i < n; i++) die[i] = dieTemperatureC(boardC, power[i]!, sim.dieRiseCPerW, sim.airflowGradientC, i, n, gradient);
  }
  if (boardC > env.maxBoardC) return null;
  let h = 0;
  let heat = 0;
  let maxDie = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = chips[i]!;
    // A fixed point can still leave a chip slightly above its limit at the final temperature: check.
    const p = hwErrorProbabilityAt(k, freqs[i]!, stableLimitMHz(k, chipV, die[i]!));
    if (p > env.hwLimit * 1.5) return null;
    h += k.cores * freqs[i]! * 1e6 * k.hashesPerCoreCycle * (1 - p);
    heat += power[i]!;
    maxDie = Math.max(maxDie, die[i]!);
  }
  return { chain, regulatorCode: code, voltageV: boardV, freqsMHz: freqs, hashrateHps: h, powerW: heat / hb.regulator.efficiency, boardC, maxDieC: maxDie };
}
