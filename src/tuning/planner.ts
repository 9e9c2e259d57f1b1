/**
 * Chooses per-board voltage and per-chip frequencies for a target from the fitted models. Per
 * board, a grid of voltages (regulator steps) x frequency scales gives candidates (predicted
 * hashrate H and power load X = V^2 x sum f); each board keeps its Pareto front; a sweep of the
 * Lagrange multiplier (each board minimising a.X - lambda.H) gives miner-wide candidates, scored for the target. Pure and deterministic.
 */
import { floorIndex } from './ladder';
import { predictFreqs } from './model';
import type { Characterisation, PowerModel } from './model';
import type { MinerSpec, TuningTarget } from './types';

export interface BoardPlan {
  voltageV: number;
  /** Predicted ladder index per chip the tuner will hold at that voltage (highest good - backoff), before any scale. */
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

const SCALES = Array.from({ length: 51 }, (_, k) => 1 - k * 0.01);

export function voltageGrid(spec: MinerSpec, maxPoints = 40): number[] {
  const { minV, maxV, stepV } = spec.voltage;
  const steps = Math.max(1, Math.floor((maxV - minV) / stepV + 1e-9));
  const every = Math.max(1, Math.ceil(steps / maxPoints));
  const out: number[] = [];
  for (let k = 0; k <= steps; k += every) out.push(minV + k * stepV);
  if (out[out.length - 1]! < maxV - 1e-9) out.push(minV + steps * stepV);
  return out;
}

function boardCandidates(spec: MinerSpec, chars: readonly Characterisation[], dead: readonly boolean[], backoff: number, capIndex?: readonly number[]): BoardPlan[] {
  const out: BoardPlan[] = [];
  for (const v of voltageGrid(spec)) {
    const pred = predictFreqs(chars, v);
    const maxIndex = pred.map((f, i) => {
      // The tuner holds chips `backoff` steps under the highest good one: plan with that.
      const idx = dead[i] ? 0 : Math.max(0, floorIndex(spec.ladderMHz, f) - backoff);
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
  /** Steps the tuner holds under a chip's highest good step (default 1). */
  backoff?: number;
  /** Per board, per chip: highest index allowed (thermal shedding carried over), optional. */
  capIndex?: ReadonlyArray<readonly number[] | undefined>;
  /** Per board, the highest power load (V^2 x sum f) it may carry: its thermal budget as learned. */
  maxLoad?: ReadonlyArray<number | undefined>;
}

export function plan(i: PlanInput): Plan {
  const fronts = i.chars.map((c, b) => {
    const f = boardCandidates(i.spec, c, i.dead[b]!, i.backoff ?? 1, i.capIndex?.[b]);
    const cap = i.maxLoad?.[b];
    const within = cap === undefined ? f : f.filter((x) => x.load <= cap);
    return within.length > 0 ? within : f.slice(0, 1);
  });
  const combos = paretoCombos(fronts.map((f) => thin(f, 300)));
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

/**
 * The whole efficiency curve the fitted models predict: every Pareto-optimal combination of board
 * points (most hashrate for its wall power), by rising power. One merge, the cost of one `plan`
 * (economics reads it for the margin-maximising point instead of planning target by target).
 */
export function efficiencyFront(i: Omit<PlanInput, 'target'>): Array<{ hashrateHps: number; wallPowerW: number }> {
  const fronts = i.chars.map((c, b) => {
    const f = boardCandidates(i.spec, c, i.dead[b]!, i.backoff ?? 1, i.capIndex?.[b]);
    const cap = i.maxLoad?.[b];
    const within = cap === undefined ? f : f.filter((x) => x.load <= cap);
    return within.length > 0 ? within : f.slice(0, 1);
  });
  return paretoCombos(fronts.map((f) => thin(f, 300))).map((c) => ({
    hashrateHps: c.reduce((s, b) => s + b.hashrateHps, 0),
    wallPowerW: i.power.a * c.reduce((s, b) => s + b.load, 0) + i.power.d,
  }));
}

/** At most n points of a front, spread evenly over its load range (the best hashrate per bucket). */
function thin(front: BoardPlan[], n: number): BoardPlan[] {
  if (front.length <= n) return front;
  const lo = front[0]!.load;
  const hi = front[front.length - 1]!.load;
  const out: BoardPlan[] = [];
  let bucket = -1;
  for (const c of front) {
    const k = Math.min(n - 1, Math.floor(((c.load - lo) / Math.max(1e-9, hi - lo)) * n));
    if (k !== bucket) out.push(c);
    else out[out.length - 1] = c; // later in a bucket = more hashrate (front is increasing)
    bucket = k;
  }
  return out;
}

/**
 * Every Pareto-optimal combination of one point per board (most hashrate for its summed load):
 * boards merged one at a time, each merge pruned to its Pareto front and thinned. Exact up to
 * the thinning, unlike a greedy or Lagrangian pick on non-convex fronts.
 */
function paretoCombos(fronts: BoardPlan[][]): BoardPlan[][] {
  type Combo = { load: number; h: number; picks: BoardPlan[] };
  let acc: Combo[] = [{ load: 0, h: 0, picks: [] }];
  for (const f of fronts) {
    const next: Combo[] = [];
    for (const a of acc) for (const c of f) next.push({ load: a.load + c.load, h: a.h + c.hashrateHps, picks: [...a.picks, c] });
    next.sort((x, y) => x.load - y.load || y.h - x.h);
    const pruned: Combo[] = [];
    for (const c of next) if (pruned.length === 0 || c.h > pruned[pruned.length - 1]!.h) pruned.push(c);
    acc = thinCombos(pruned, 1500);
  }
  return acc.map((c) => c.picks);
}

function thinCombos<T extends { load: number }>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  const lo = xs[0]!.load;
  const hi = xs[xs.length - 1]!.load;
  const out: T[] = [];
  let bucket = -1;
  for (const c of xs) {
    const k = Math.min(n - 1, Math.floor(((c.load - lo) / Math.max(1e-9, hi - lo)) * n));
    if (k !== bucket) out.push(c);
    else out[out.length - 1] = c;
    bucket = k;
  }
  return out;
}

/** Hashrate the settings give by the board model (cores x f x hashes/cycle), dead chips left out. */
export function nominalHashrateHps(spec: MinerSpec, s: { freqMHz: number[][] }, dead: ReadonlyArray<readonly boolean[]>): number {
  return s.freqMHz.reduce((sum, row, b) => sum + row.reduce((x, f, c) => x + (dead[b]?.[c] ? 0 : f), 0), 0) * spec.hpsPerMHz;
}

/** Share by which a hashrate falls under the target's floor (0: not under, or no floor). */
export function floorShortfall(t: TuningTarget, hashrateHps: number): number {
  const floor = t.kind === 'efficiency' ? t.minHashrateHps : t.kind === 'hashrate' ? t.hashrateHps : null;
  if (floor === null || !(floor > 0)) return 0;
  return Math.max(0, (floor - hashrateHps) / floor);
}

/** The target as planned: a hashrate floor raised by `margin` (settled chips land a little under plans). */
export function withFloorMargin(t: TuningTarget, margin: number): TuningTarget {
  const k = 1 + margin;
  if (t.kind === 'efficiency') return { kind: 'efficiency', minHashrateHps: t.minHashrateHps * k };
  if (t.kind === 'hashrate' && t.hashrateHps !== null) return { kind: 'hashrate', hashrateHps: t.hashrateHps * k };
  return t;
}
