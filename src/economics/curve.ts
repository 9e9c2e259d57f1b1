/**
 * The tuner's measured efficiency curve as operating points for recommend.ts: the planner's
 * Pareto front on the tuner's characterisations and fitted power model (tuning/planner.ts
 * `efficiencyFront`, the cost of one plan), thinned to at most `maxPoints` by power, plus the
 * eco and max presets read off the same front, and "off". Each point is reached through a power
 * target (the tuner's run-time knob). Empty until every board has been characterised.
 */
import type { Autotuner } from '../tuning/autotuner';
import { efficiencyFront } from '../tuning/planner';
import type { CurvePoint } from './recommend';

export function tunerCurve(t: Autotuner, published: { hashrateHps: number; wallPowerW: number }, o: { idleW?: number; maxPoints?: number; maxTargetW?: number } = {}): CurvePoint[] {
  const m = t.powerModel;
  if (!m || !t.boards.every((b) => b.chars.length > 0)) return [];
  const front = efficiencyFront({ spec: t.spec, chars: t.boards.map((b) => b.chars), dead: t.boards.map((b) => b.dead), power: m, backoff: 1 })
    .filter((p) => p.hashrateHps > 0 && p.wallPowerW >= 50 && p.wallPowerW <= (o.maxTargetW ?? 20_000));
  return curveFromFront(front, published, o);
}

/** Points from a front (hashrate by rising power): thinned evenly by power, presets named. */
export function curveFromFront(front: ReadonlyArray<{ hashrateHps: number; wallPowerW: number }>, published: { hashrateHps: number }, o: { idleW?: number; maxPoints?: number } = {}): CurvePoint[] {
  if (front.length === 0) return [];
  const n = o.maxPoints ?? 60;
  const lo = front[0]!.wallPowerW;
  const hi = front[front.length - 1]!.wallPowerW;
  const picked = new Map<number, { hashrateHps: number; wallPowerW: number }>();
  for (const p of front) picked.set(Math.min(n - 1, Math.floor(((p.wallPowerW - lo) / Math.max(1e-9, hi - lo)) * n)), p);
  const point = (label: string, p: { hashrateHps: number; wallPowerW: number }): CurvePoint => ({ label, hashrateHps: p.hashrateHps, wallPowerW: p.wallPowerW, apply: { kind: 'power', watts: Math.ceil(p.wallPowerW) } });
  const out = [...picked.values()].map((p) => point(`power ${Math.ceil(p.wallPowerW)} W`, p));
  const eco = front.filter((p) => p.hashrateHps >= 0.8 * published.hashrateHps).reduce<{ hashrateHps: number; wallPowerW: number } | null>((a, b) => (a === null || b.wallPowerW / b.hashrateHps < a.wallPowerW / a.hashrateHps ? b : a), null);
  if (eco) out.push(point('eco preset', eco));
  out.push(point('max preset', front[front.length - 1]!));
  out.push({ label: 'off', hashrateHps: 0, wallPowerW: o.idleW ?? 0, apply: { kind: 'pause' } });
  return out;
}
