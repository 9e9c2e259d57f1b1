/**
 * The tuner's measured efficiency curve as operating points for recommend.ts: the planner run on
 * the tuner's characterisations and fitted power model (the same method as the tuning report's
 * alternatives) for a sweep of power targets and the eco/max presets. Empty until every board has
 * been characterised (nothing measured, nothing recommended).
 */
import type { Autotuner } from '../tuning/autotuner';
import { plan } from '../tuning/planner';
import { presetTarget } from '../tuning/presets';
import type { TuningTarget } from '../tuning/types';
import type { CurvePoint } from './recommend';

export const SWEEP = Array.from({ length: 29 }, (_, k) => 0.45 + k * 0.025);

export function tunerCurve(t: Autotuner, published: { hashrateHps: number; wallPowerW: number }, o: { idleW?: number } = {}): CurvePoint[] {
  const m = t.powerModel;
  if (!m || !t.boards.every((b) => b.chars.length > 0)) return [];
  const run = (target: TuningTarget) => plan({ spec: t.spec, target, chars: t.boards.map((b) => b.chars), dead: t.boards.map((b) => b.dead), power: m, backoff: 1 });
  const out: CurvePoint[] = [];
  for (const f of SWEEP) {
    const w = Math.round((published.wallPowerW * f) / 10) * 10;
    const p = run({ kind: 'power', maxPowerW: w });
    if (p.feasible && p.hashrateHps > 0) out.push({ label: `power ${w} W`, hashrateHps: p.hashrateHps, wallPowerW: p.wallPowerW, apply: { kind: 'power', watts: w } });
  }
  for (const name of ['eco', 'max'] as const) {
    const target = presetTarget(name, published)!;
    const p = run(target);
    // Reached through a power target at the preset's planned power: the tuner's one run-time knob.
    if (p.feasible && p.hashrateHps > 0) out.push({ label: `${name} preset`, hashrateHps: p.hashrateHps, wallPowerW: p.wallPowerW, apply: { kind: 'power', watts: Math.ceil(p.wallPowerW) } });
  }
  out.push({ label: 'off', hashrateHps: 0, wallPowerW: o.idleW ?? 0, apply: { kind: 'pause' } });
  return out;
}
