/**
 * One tuning run on the statistical rig (tuneRig.ts): the tuner from a cold start (boards warm
 * at stock) to convergence and on for a hold period, scored against the simulator's oracle for
 * the same target and against the stock settings. Used by the tests and `kabosu bench tune`.
 */
import type { OracleTarget } from '../../src/sim/oracle';
import { Autotuner } from '../../src/tuning/autotuner';
import type { AutotunerOptions, BoardStart } from '../../src/tuning/autotuner';
import type { PowerModel } from '../../src/tuning/model';
import type { TuningTarget } from '../../src/tuning/types';
import { TuneRig } from './tuneRig';
import type { RigOptions } from './tuneRig';

export interface Figures {
  hashrateHps: number;
  wallPowerW: number;
  joulesPerTH: number;
}

export interface ScenarioResult {
  board: string;
  seed: number;
  target: TuningTarget;
  converged: boolean;
  convergeMs: number | null;
  tuned: Figures & { maxBoardC: number; worstHw: number; meanHw: number };
  oracle: Figures & { feasible: boolean };
  stock: Figures;
  /** tuned J/TH over the oracle's (1 = as good; < 1 better). */
  efficiencyVsOracle: number;
  hashrateVsOracle: number;
  /** Max |power - budget| / budget over the hold (power target only). */
  powerErrorMax: number | null;
  powerMeanW: number | null;
  tuner: Autotuner;
  rig: TuneRig;
}

export function figures(h: number, w: number): Figures {
  return { hashrateHps: h, wallPowerW: w, joulesPerTH: h > 0 ? w / (h / 1e12) : Infinity };
}

export function oracleTargetFor(t: TuningTarget): OracleTarget {
  if (t.kind === 'efficiency') return { kind: 'efficiency', minHashrateHps: t.minHashrateHps };
  if (t.kind === 'power') return { kind: 'power', maxPowerW: t.maxPowerW };
  return t.hashrateHps === null ? { kind: 'hashrate' } : { kind: 'efficiency', minHashrateHps: t.hashrateHps };
}

export interface ScenarioOptions extends RigOptions {
  target: TuningTarget;
  /** Simulated minutes to run at most before the hold. */
  maxMinutes?: number;
  /** Simulated minutes held after convergence (power figures averaged over the last half). */
  holdMinutes?: number;
  tuner?: Partial<AutotunerOptions>;
  starts?: Array<BoardStart | null>;
  model?: PowerModel | null;
  /** Called after every window (faults, target changes). */
  onWindow?: (rig: TuneRig, tuner: Autotuner) => void;
}

export function stockFigures(o: RigOptions): Figures {
  const rig = new TuneRig({ ...o, warmMinutes: 20 });
  const t = rig.truth();
  return figures(t.hashrateHps, t.wallPowerW);
}

export function runScenario(o: ScenarioOptions): ScenarioResult {
  const rig = new TuneRig(o);
  const stock = stockFigures(o);
  const tuner = new Autotuner(rig.spec, o.target, rig.nowMs, o.starts ?? [], o.tuner ?? {}, o.model ?? null);
  rig.apply(tuner.settings());
  const maxMs = (o.maxMinutes ?? 30) * 60_000;
  while (!tuner.converged && rig.nowMs < maxMs) {
    const m = rig.measure();
    rig.apply(tuner.update(m));
    o.onWindow?.(rig, tuner);
  }
  const convergeMs = tuner.converged ? (tuner.tunedAtMs ?? rig.nowMs) : null;
  const holdMs = (o.holdMinutes ?? 10) * 60_000;
  const end = rig.nowMs + holdMs;
  const powers: number[] = [];
  let h = 0;
  let w = 0;
  let n = 0;
  let maxC = -Infinity;
  let worstHw = 0;
  let meanHw = 0;
  while (rig.nowMs < end) {
    const m = rig.measure();
    rig.apply(tuner.update(m));
    o.onWindow?.(rig, tuner);
    if (rig.nowMs >= end - holdMs / 2) {
      const t = rig.truth();
      powers.push(t.wallPowerW);
      h += t.hashrateHps;
      w += t.wallPowerW;
      maxC = Math.max(maxC, t.maxBoardC);
      worstHw = Math.max(worstHw, t.worstHw);
      meanHw += t.meanHw;
      n++;
    }
  }
  const tuned = { ...figures(h / n, w / n), maxBoardC: maxC, worstHw, meanHw: meanHw / n };
  const target = tuner.currentTarget;
  const or = rig.oracle(oracleTargetFor(target));
  const oracle = { ...figures(or.hashrateHps, or.wallPowerW), feasible: or.feasible };
  const budget = target.kind === 'power' ? target.maxPowerW : null;
  return {
    board: rig.board.id,
    seed: o.seed,
    target,
    converged: convergeMs !== null,
    convergeMs,
    tuned,
    oracle,
    stock,
    efficiencyVsOracle: tuned.joulesPerTH / oracle.joulesPerTH,
    hashrateVsOracle: tuned.hashrateHps / oracle.hashrateHps,
    powerErrorMax: budget === null ? null : Math.max(...powers.map((p) => Math.abs(p - budget) / budget)),
    powerMeanW: budget === null ? null : w / n,
    tuner,
    rig,
  };
}
