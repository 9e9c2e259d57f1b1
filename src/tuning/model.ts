/**
 * What the tuner has learned, as small models fitted to its own measurements (never to the
 * simulator's truth):
 * - per chip, the highest good frequency at each voltage it was searched at, and per board a
 *   voltage exponent e with f(V) = f(Vref) x (V / Vref)^e (median over chips of the slope
 *   between two characterised voltages; a CMOS prior of 2 until there are two);
 * - wall power P = a x sum over boards of V^2 x sum(f) + d (dynamic C.V^2.f plus everything
 *   that does not scale with frequency), by least squares over steady windows.
 * Pure.
 */
export interface Characterisation {
  voltageV: number;
  /** Highest good frequency per chip (MHz); 0 for a dead chip. */
  freqMHz: number[];
}

export const PRIOR_EXPONENT = 2;

export function voltageExponent(points: readonly Characterisation[]): number {
  if (points.length < 2) return PRIOR_EXPONENT;
  const sorted = [...points].sort((x, y) => x.voltageV - y.voltageV);
  const lo = sorted[0]!;
  const hi = sorted[sorted.length - 1]!;
  const lv = Math.log(hi.voltageV / lo.voltageV);
  if (!(lv > 1e-4)) return PRIOR_EXPONENT;
  const slopes: number[] = [];
  for (let i = 0; i < lo.freqMHz.length; i++) {
    const a = lo.freqMHz[i]!;
    const b = hi.freqMHz[i]!;
    if (a > 0 && b > 0) slopes.push(Math.log(b / a) / lv);
  }
  if (slopes.length === 0) return PRIOR_EXPONENT;
  slopes.sort((x, y) => x - y);
  const med = slopes[slopes.length >> 1]!;
  return Math.max(0.5, Math.min(4, med));
}

/** Predicted good frequency per chip at voltage v, from the nearest characterised voltage. */
export function predictFreqs(points: readonly Characterisation[], v: number): number[] {
  if (points.length === 0) return [];
  let e = voltageExponent(points);
  let ref = points[0]!;
  for (const p of points) if (Math.abs(p.voltageV - v) < Math.abs(ref.voltageV - v)) ref = p;
  // Above every measured voltage the fit is an extrapolation: never steeper than the prior.
  if (v > ref.voltageV) e = Math.min(e, PRIOR_EXPONENT);
  const k = Math.pow(v / ref.voltageV, e);
  return ref.freqMHz.map((f) => f * k);
}

export interface PowerModel {
  /** W per (V^2 x MHz) summed over chips. */
  a: number;
  /** W that does not scale with frequency (leakage, fans, controller, losses). */
  d: number;
}

export interface PowerPoint {
  /** Sum over boards of V^2 x sum of chip MHz. */
  x: number;
  wallW: number;
}

export function powerLoad(settings: { voltageV: number[]; freqMHz: number[][] }): number {
  let x = 0;
  settings.voltageV.forEach((v, b) => {
    const sum = (settings.freqMHz[b] ?? []).reduce((s, f) => s + f, 0);
    x += v * v * sum;
  });
  return x;
}

/** Least squares over the points; null until two points differ enough to fix the slope. */
export function fitPower(points: readonly PowerPoint[]): PowerModel | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.wallW, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) * (p.x - mx);
    sxy += (p.x - mx) * (p.wallW - my);
  }
  const spread = Math.sqrt(sxx / n);
  if (!(spread > 0.02 * Math.abs(mx))) return null;
  const a = sxy / sxx;
  if (!(a > 0)) return null;
  return { a, d: my - a * mx };
}
