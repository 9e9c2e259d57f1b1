/**
 * Chooses per-board voltage and per-chip frequencies for a target from the fitted models. Per
 * board, a grid of voltages (regulator steps) x frequency scales gives candidates (predicted
 * hashrate H and power load X = V^2 x sum f); each board keeps its Pareto front; a sweep of the
 * Lagrange multiplier (each board minimising a.X - lambda.H) plus equal-voltage combinations
 * gives miner-wide candidates, scored for the target. Pure and deterministic.
 */
import { floorIndex } from './ladder';
import { predictFreqs } from './model';
import type { Characterisation, PowerModel } from './model';
import type { MinerSpec, TuningTarget } from './types';

export interface BoardPlan {
  voltageV: number;
  /** Predicted good ladder index per chip at that voltage (before any scale). */
  maxIndex: number[];
  /** Planned index per chip. */
  index: number[];
  hashrateHps: number;
  load: number;
}

export interface Plan {
  boards: BoardPlan[];
  hashrateHps: number;
  wallPowerW: number;
  feasible: boolean;
}

const SCALES = [1, 0.97, 0.94, 0.91, 0.88, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5];

export function voltageGrid(spec: MinerSpec, maxPoints = 40): number[] {
  const { minV, maxV, stepV } = spec.voltage;
  const steps = Math.max(1, Math.floor((maxV - minV) / stepV + 1e-9));
  const every = Math.max(1, Math.ceil(steps / maxPoints));
  const out: number[] = [];
  for (let k = 0; k <= steps; k += every) out.push(minV + k * stepV);
  if (out[out.length - 1]! < maxV - 1e-9) out.push(minV + steps * stepV);
  return out;
}

function boardCandidates(spec: MinerSpec, chars: readonly Characterisation[], dead: readonly boolean[], capIndex?: readonly number[]): BoardPlan[] {
  const out: BoardPlan[] = [];
  for (const v of voltageGrid(spec)) {
    const pred = predictFreqs(chars, v);
    const maxIndex = pred.map((f, i) => {
      const idx = dead[i] ? 0 : floorIndex(spec.ladderMHz, f);
      return capIndex ? Math.min(idx, capIndex[i] ?? idx) : idx;
    });
    for (const s of SCALES) {
      const index = maxIndex.map((m, i) => (dead[i] ? 0 : floorIndex(spec.ladderMHz, spec.ladderMHz[m]! * s)));
      let sumF = 0;
      let sumH = 0;
      index.forEach((x, i) => {
        sumF += spec.ladderMHz[x]!;
        if (!dead[i]) sumH += spec.ladderMHz[x]! * spec.hpsPerMHz;
      });
      out.push({ voltageV: v, maxIndex, index, hashrateHps: sumH, load: v * v * sumF });
    }
  }
  const sorted = out.sort((p, q) => p.load - q.load || q.hashrateHps - p.hashrateHps);
  const front: BoardPlan[] = [];
  for (const c of sorted) if (front.length === 0 || c.hashrateHps > front[front.length - 1]!.hashrateHps) front.push(c);
  return front;
}

export interface PlanInput {
  spec: MinerSpec;
  target: TuningTarget;
  chars: ReadonlyArray<readonly Characterisation[]>;
  dead: ReadonlyArray<readonly boolean[]>;
  power: PowerModel;
  /** Per board, per chip: highest index allowed (thermal shedding carried over), optional. */
  capIndex?: ReadonlyArray<readonly number[] | undefined>;
}

export function plan(i: PlanInput): Plan {
  const fronts = i.chars.map((c, b) => boardCandidates(i.spec, c, i.dead[b]!, i.capIndex?.[b]));
  const combos: BoardPlan[][] = [];
  // Lagrangian sweep: lambda in W per H/s, log-spaced around the fronts' marginal costs.
  const ratios = fronts.flatMap((f) => f.map((c) => (i.power.a * c.load) / Math.max(1, c.hashrateHps)));
  const lo = Math.max(1e-15, Math.min(...ratios) / 20);
  const hi = Math.max(lo * 2, Math.max(...ratios) * 20);
  for (let k = 0; k <= 300; k++) {
    const lambda = lo * Math.pow(hi / lo, k / 300);
    combos.push(fronts.map((f) => argMin(f, (c) => i.power.a * c.load - lambda * c.hashrateHps)));
  }
  combos.push(fronts.map((f) => f[f.length - 1]!));
  combos.push(fronts.map((f) => f[0]!));
  let best: BoardPlan[] | null = null;
  let bestScore = Infinity;
  const t = i.target;
  for (const c of combos) {
    const h = c.reduce((s, b) => s + b.hashrateHps, 0);
    const w = i.power.a * c.reduce((s, b) => s + b.load, 0) + i.power.d;
    let score: number;
    if (t.kind === 'efficiency') score = h >= t.minHashrateHps && h > 0 ? w / h : Infinity;
    else if (t.kind === 'power') score = w <= t.maxPowerW ? -h : Infinity;
    else if (t.hashrateHps === null) score = -h + w * 1e-12;
    else score = h >= t.hashrateHps ? w : Infinity;
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  const feasible = best !== null;
  // Infeasible: the closest thing (most hashrate for efficiency/hashrate, least power for power).
  const chosen = best ?? (t.kind === 'power' ? fronts.map((f) => f[0]!) : fronts.map((f) => f[f.length - 1]!));
  const h = chosen.reduce((s, b) => s + b.hashrateHps, 0);
  return { boards: chosen, hashrateHps: h, wallPowerW: i.power.a * chosen.reduce((s, b) => s + b.load, 0) + i.power.d, feasible };
}

function argMin<T>(xs: readonly T[], f: (x: T) => number): T {
  let best: T = xs[0] as T;
  let bv = f(best);
  for (const x of xs) {
    const v = f(x);
    if (v < bv) {
      bv = v;
      best = x;
    }
  }
  return best;
}
