/**
 * What the tuner found, for `kabosu tune report` and the API: per board voltage, frequency
 * histogram, weak chips, expected hashrate/power/efficiency, and what other targets would give
 * (the planner run on the same fitted models). Pure: tuner state in, plain JSON out.
 */
import type { TuningStatus } from '../core/minerApi';
import type { Autotuner } from './autotuner';
import { floorIndex } from './ladder';
import { powerLoad } from './model';
import { nominalHashrateHps, plan } from './planner';
import type { MinerSpec, TuningTarget } from './types';

export interface WeakChip {
  chip: number;
  freqMHz: number;
  reason: 'dead' | 'below-stock' | 'stepped-down';
}

export interface BoardReport {
  board: number;
  phase: string;
  voltageV: number;
  /** Fitted exponent of the good frequency against voltage. */
  voltageExponent: number;
  freqMHz: { min: number; mean: number; max: number };
  histogram: Array<{ freqMHz: number; chips: number }>;
  weakChips: WeakChip[];
}

export interface Alternative {
  target: TuningTarget;
  hashrateHps: number;
  wallPowerW: number;
  efficiencyJPerTH: number;
  voltageV: number[];
  feasible: boolean;
}

export interface TuningReport {
  target: TuningTarget;
  state: TuningStatus['state'];
  elapsedMs: number;
  convergedAfterMs: number | null;
  expected: { hashrateHps: number; wallPowerW: number | null; efficiencyJPerTH: number | null };
  boards: BoardReport[];
  alternatives: Alternative[];
}

export function tunerState(t: Autotuner): TuningStatus['state'] {
  if (t.boards.some((b) => b.phase === 'validate')) return 'validating';
  if (!t.converged) return 'tuning';
  return t.boards.some((b) => b.index.some((x, c) => x < b.cap[c]!)) ? 'throttled' : 'tuned';
}

export function expectedNow(t: Autotuner): TuningReport['expected'] {
  const s = t.settings();
  const h = nominalHashrateHps(t.spec, s, t.boards.map((b) => b.dead));
  const m = t.powerModel;
  const w = m ? m.a * powerLoad(s) + m.d : null;
  return { hashrateHps: h, wallPowerW: w, efficiencyJPerTH: w !== null && h > 0 ? w / (h / 1e12) : null };
}

export function tuningStatus(t: Autotuner): TuningStatus {
  const e = expectedNow(t);
  return {
    target: describeTarget(t.currentTarget),
    state: tunerState(t),
    expected: e.wallPowerW === null ? null : { hashrate_hps: e.hashrateHps, power_w: e.wallPowerW, efficiency_j_per_th: e.efficiencyJPerTH ?? 0 },
  };
}

export function describeTarget(t: TuningTarget): string {
  if (t.kind === 'efficiency') return `efficiency (floor ${(t.minHashrateHps / 1e6).toFixed(0)} MH/s)`;
  if (t.kind === 'power') return `power (${t.maxPowerW.toFixed(0)} W)`;
  return t.hashrateHps === null ? 'hashrate (max)' : `hashrate (${(t.hashrateHps / 1e6).toFixed(0)} MH/s)`;
}

function boardReport(spec: MinerSpec, t: Autotuner, b: number): BoardReport {
  const st = t.boards[b]!;
  const s = t.settings();
  const freqs = s.freqMHz[b]!;
  const live = freqs.filter((_, c) => !st.dead[c]);
  const hist = new Map<number, number>();
  for (const f of live) hist.set(f, (hist.get(f) ?? 0) + 1);
  const stockIdx = floorIndex(spec.ladderMHz, spec.stockMHz);
  const weak: WeakChip[] = [];
  const stepped = new Set(st.steppedDown);
  freqs.forEach((f, c) => {
    if (st.dead[c]) weak.push({ chip: c, freqMHz: f, reason: 'dead' });
    else if (stepped.has(c)) weak.push({ chip: c, freqMHz: f, reason: 'stepped-down' });
    else if (Math.abs(st.voltageV - spec.voltage.stockV) < 0.01 && st.cap[c]! < stockIdx) weak.push({ chip: c, freqMHz: f, reason: 'below-stock' });
  });
  // Chips whose tuned step is far below the board's median are weak whatever the voltage
  // (judged on the tuned caps, not on what shedding holds at the moment).
  const sorted = [...live].sort((x, y) => x - y);
  const caps = st.cap.map((x) => spec.ladderMHz[x]!);
  const liveCaps = caps.filter((_, c) => !st.dead[c]).sort((x, y) => x - y);
  const median = liveCaps[liveCaps.length >> 1] ?? 0;
  caps.forEach((f, c) => {
    if (!st.dead[c] && f < median * 0.93 && !weak.some((w) => w.chip === c)) weak.push({ chip: c, freqMHz: freqs[c]!, reason: 'below-stock' });
  });
  return {
    board: b,
    phase: st.phase,
    voltageV: s.voltageV[b]!,
    voltageExponent: t.exponent(b),
    freqMHz: { min: sorted[0] ?? 0, mean: live.length ? live.reduce((x, y) => x + y, 0) / live.length : 0, max: sorted[sorted.length - 1] ?? 0 },
    histogram: [...hist.entries()].sort((x, y) => x[0] - y[0]).map(([freqMHz, chips]) => ({ freqMHz, chips })),
    weakChips: weak.sort((x, y) => x.chip - y.chip),
  };
}

export function tuningReport(t: Autotuner, nowMs: number, published: { hashrateHps: number; wallPowerW: number }): TuningReport {
  const expected = expectedNow(t);
  const alternatives: Alternative[] = [];
  const m = t.powerModel;
  if (m && t.boards.every((b) => b.chars.length > 0)) {
    const alts: TuningTarget[] = [
      { kind: 'efficiency', minHashrateHps: 0.8 * published.hashrateHps },
      { kind: 'efficiency', minHashrateHps: published.hashrateHps },
      { kind: 'power', maxPowerW: Math.round(0.8 * published.wallPowerW) },
      { kind: 'hashrate', hashrateHps: null },
    ];
    for (const target of alts) {
      const p = plan({ spec: t.spec, target, chars: t.boards.map((b) => b.chars), dead: t.boards.map((b) => b.dead), power: m, backoff: 1 });
      alternatives.push({
        target,
        hashrateHps: p.hashrateHps,
        wallPowerW: p.wallPowerW,
        efficiencyJPerTH: p.hashrateHps > 0 ? p.wallPowerW / (p.hashrateHps / 1e12) : Infinity,
        voltageV: p.boards.map((b) => b.voltageV),
        feasible: p.feasible,
      });
    }
  }
  return {
    target: t.currentTarget,
    state: tunerState(t),
    elapsedMs: nowMs - t.startedAtMs,
    convergedAfterMs: t.tunedAtMs === null ? null : t.tunedAtMs - t.startedAtMs,
    expected,
    boards: t.boards.map((_, b) => boardReport(t.spec, t, b)),
    alternatives,
  };
}

/** The report as text for people. */
export function formatReport(r: TuningReport): string {
  const lines: string[] = [];
  lines.push(`target ${describeTarget(r.target)}: ${r.state}${r.convergedAfterMs === null ? '' : `, converged after ${(r.convergedAfterMs / 60_000).toFixed(1)} min`}`);
  const e = r.expected;
  lines.push(`expected ${(e.hashrateHps / 1e6).toFixed(1)} MH/s` + (e.wallPowerW === null ? '' : `, ${e.wallPowerW.toFixed(0)} W, ${(e.efficiencyJPerTH! / 1e6).toFixed(3)} J/MH`));
  for (const b of r.boards) {
    lines.push(`board ${b.board} (${b.phase}): ${b.voltageV.toFixed(3)} V, ${b.freqMHz.min.toFixed(1)}..${b.freqMHz.max.toFixed(1)} MHz (mean ${b.freqMHz.mean.toFixed(1)}), V-exponent ${b.voltageExponent.toFixed(2)}`);
    lines.push('  ' + b.histogram.map((h) => `${h.freqMHz.toFixed(1)}:${h.chips}`).join(' '));
    if (b.weakChips.length) lines.push(`  weak chips: ${b.weakChips.map((w) => `${w.chip}@${w.freqMHz.toFixed(1)}(${w.reason})`).join(', ')}`);
  }
  if (r.alternatives.length) lines.push('for a different target:');
  for (const a of r.alternatives) {
    lines.push(`  ${describeTarget(a.target).padEnd(30)} ${(a.hashrateHps / 1e6).toFixed(1)} MH/s, ${a.wallPowerW.toFixed(0)} W, ${(a.efficiencyJPerTH / 1e6).toFixed(3)} J/MH at ${a.voltageV.map((v) => v.toFixed(2)).join('/')} V${a.feasible ? '' : ' (not reachable)'}`);
  }
  return lines.join('\n') + '\n';
}
