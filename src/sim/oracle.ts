/**
 * The oracle: from the simulator's hidden truth (each chip's stable limit, power constants and
 * the thermal model), the best per-chip frequencies and per-board voltage for a target, and the
 * hashrate, wall power and efficiency they give. The tuner is scored against it; the firmware
 * never sees it (control API only).
 *
 * Method. Per board, every regulator code in the board's voltage range and a ladder of frequency
 * scales gives a candidate: each chip at the highest frequency whose HW-error probability stays
 * within `hwLimit` at its steady-state die temperature (a fixed point of power -> temperature ->
 * stable limit), times the scale. Candidates breaking the thermal limit are dropped, and each
 * board keeps its Pareto front (most hashrate for its power). The target then picks per board:
 * max hashrate; max hashrate under a wall-power cap (equal budget shares, then greedy upgrades by
 * hashrate gained per watt); or min wall J/MH with a hashrate floor (sweeping a per-board share).
 * Fans and controller power are fixed overheads at the assumed fan duty. Pure: inputs in, result out.
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
  /**
   * The chip's PLL: the frequency it really runs for a requested one (e.g. the family's
   * `pllFor(mhz).freqMHz`). When given, every chip frequency is floored to one the PLL can make,
   * so the answer is reachable by a tuner.
   */
  achievableMHz?: (mhz: number) => number;
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
  efficiencyJoulesPerMH: number;
  assumptions: { ambientC: number; fanDuty: number; hwLimit: number; freqStepMHz: number; maxBoardC: number; pllSnapped: boolean };
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
  const snap = opts.achievableMHz ? snapTable(opts.achievableMHz, board.hashBoard.freqMHz.max) : undefined;
  const perBoard = chips.map((c, i) => candidates(board, cal, c, i, { ambientC: opts.ambientC, g, hwLimit, step, maxBoardC, snap }));
  const wall = (heat: number): number => (heat + overheadW) / psu;

  // Per board, the Pareto front: candidates by rising power, each with more hashrate than any cheaper one.
  const fronts = perBoard.map(paretoFront);
  const total = (bs: OracleBoard[]): { h: number; w: number } => {
    const heat = bs.reduce((s, b) => s + b.powerW, 0);
    return { h: bs.reduce((s, b) => s + b.hashrateHps, 0), w: wall(heat) };
  };
  let chosen: OracleBoard[] | undefined;
  let feasible = fronts.every((f) => f.length > 0);
  if (!feasible) chosen = undefined;
  else if (target.kind === 'hashrate') {
    chosen = fronts.map((f) => f[f.length - 1]!);
  } else if (target.kind === 'power') {
    // Equal shares of the budget, then spend what is left on the upgrades with the best gain.
    const budgetHeat = target.maxPowerW * psu - overheadW;
    const pickIdx = fronts.map((f) => lastIndexAtOrBelow(f, (c) => c.powerW, budgetHeat / fronts.length));
    if (pickIdx.some((i) => i < 0)) {
      feasible = false;
      chosen = fronts.map((f) => f[0]!);
    } else {
      let spent = pickIdx.reduce((s, i, b) => s + fronts[b]![i]!.powerW, 0);
      for (;;) {
        let bestB = -1;
        let bestGain = 0;
        for (let b = 0; b < fronts.length; b++) {
          const next = fronts[b]![pickIdx[b]! + 1];
          if (!next) continue;
          const cur = fronts[b]![pickIdx[b]!]!;
          const dP = next.powerW - cur.powerW;
          if (spent + dP > budgetHeat) continue;
          const gain = (next.hashrateHps - cur.hashrateHps) / Math.max(dP, 1e-9);
          if (gain > bestGain) {
            bestGain = gain;
            bestB = b;
          }
        }
        if (bestB < 0) break;
        const cur = fronts[bestB]![pickIdx[bestB]!]!;
        pickIdx[bestB]!++;
        spent += fronts[bestB]![pickIdx[bestB]!]!.powerW - cur.powerW;
      }
      chosen = pickIdx.map((i, b) => fronts[b]![i]!);
    }
  } else {
    // Sweep a per-board hashrate share from the floor up; each board takes its cheapest
    // candidate reaching the share; keep the best wall efficiency.
    const maxShare = Math.min(...fronts.map((f) => f[f.length - 1]!.hashrateHps));
    const floorShare = target.minHashrateHps / fronts.length;
    let bestEff = Infinity;
    for (let k = 0; k <= 60; k++) {
      const share = floorShare + ((maxShare - floorShare) * k) / 60;
      if (share > maxShare + 1e-6) break;
      const bs = fronts.map((f) => f.find((c) => c.hashrateHps >= share));
      if (bs.some((x) => !x)) continue;
      const t = total(bs as OracleBoard[]);
      if (t.h >= target.minHashrateHps && t.w / t.h < bestEff) {
        bestEff = t.w / t.h;
        chosen = bs as OracleBoard[];
      }
    }
    if (!chosen) {
      feasible = false;
      chosen = fronts.map((f) => f[f.length - 1]!);
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
    efficiencyJoulesPerMH: t.h > 0 ? t.w / (t.h / 1e6) : Infinity,
    assumptions: { ambientC: opts.ambientC, fanDuty, hwLimit, freqStepMHz: step, maxBoardC, pllSnapped: opts.achievableMHz !== undefined },
  };
}

/** Candidates by rising power, keeping only those with more hashrate than every cheaper one. */
function paretoFront(cands: OracleBoard[]): OracleBoard[] {
  const sorted = [...cands].sort((a, b) => a.powerW - b.powerW || b.hashrateHps - a.hashrateHps);
  const out: OracleBoard[] = [];
  for (const c of sorted) if (out.length === 0 || c.hashrateHps > out[out.length - 1]!.hashrateHps) out.push(c);
  return out;
}

function lastIndexAtOrBelow<T>(xs: T[], key: (x: T) => number, limit: number): number {
  let i = -1;
  for (let k = 0; k < xs.length; k++) if (key(xs[k]!) <= limit) i = k;
  return i;
}

interface CandidateEnv {
  ambientC: number;
  g: number;
  hwLimit: number;
  step: number;
  maxBoardC: number;
  /** snap[m] = the highest PLL-achievable frequency <= m MHz. */
  snap?: Float64Array;
}

/** For every whole MHz up to max, the highest frequency the PLL makes at or below it. */
function snapTable(achievable: (mhz: number) => number, maxMHz: number): Float64Array {
  const n = Math.ceil(maxMHz) + 1;
  const made = new Set<number>();
  for (let m = 1; m < n + 8; m++) made.add(achievable(m));
  const sorted = [...made].filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b);
  const t = new Float64Array(n);
  let j = -1;
  for (let m = 0; m < n; m++) {
    while (j + 1 < sorted.length && sorted[j + 1]! <= m) j++;
    t[m] = j >= 0 ? sorted[j]! : 0;
  }
  return t;
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
  for (let iter = 0; iter < 3; iter++) {
    let heat = 0;
    for (let i = 0; i < n; i++) {
      const k = chips[i]!;
      const limit = stableLimitMHz(k, chipV, die[i]!);
      const stable = Math.min(hb.freqMHz.max, freqForHwErrorMHz(k, limit, env.hwLimit));
      let f = Math.floor((stable * scale) / env.step) * env.step;
      if (env.snap) f = env.snap[Math.min(env.snap.length - 1, Math.floor(f))]!;
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
