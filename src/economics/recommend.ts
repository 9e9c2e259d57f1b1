/**
 * Recommendations (pure): from an efficiency curve (operating points the tuner measured or can
 * plan: hashrate and wall power each) and the market, the point with the highest margin, which
 * is often not the fastest, with its expected gain over running as now ("eco preset: +$0.41/day
 * at your tariff"). Applying it is the component's, and only on request or with auto-optimise.
 */
import type { MarketField } from './market';
import { revenuePerDay } from './profit';

export interface CurvePoint {
  /** "eco preset", "power 2800 W", "max preset", "off". */
  label: string;
  hashrateHps: number;
  wallPowerW: number;
  /** How to get there: a power target for the tuner, or pause (off). */
  apply: { kind: 'power'; watts: number } | { kind: 'pause' } | { kind: 'config' };
}

export interface ScoredPoint extends CurvePoint {
  marginPerDay: number;
  revenuePerDay: number;
  costPerDay: number;
}

export interface Recommendation {
  best: ScoredPoint;
  current: { marginPerDay: number; hashrateHps: number; wallPowerW: number } | null;
  /** best - current, per day (null without a current point). */
  gainPerDay: number | null;
  /** The one line for people. */
  text: string;
  points: ScoredPoint[];
  pricePerKwh: number;
}

export interface RecommendInput {
  curve: readonly CurvePoint[];
  market: Partial<Record<MarketField, number>>;
  /** The price to judge at: the day's planned mean (TOU) or now. */
  pricePerKwh: number;
  /** What the pool credits of the chips' hashrate (rejects, stales), measured; 1 when unknown. */
  acceptedRatio: number;
  current: { acceptedHps: number; wallPowerW: number } | null;
  currency?: string;
}

export function scorePoint(p: CurvePoint, market: Partial<Record<MarketField, number>>, pricePerKwh: number, acceptedRatio: number): ScoredPoint | null {
  const rev = revenuePerDay(p.hashrateHps * acceptedRatio, market).revenue;
  if (rev === null) return null;
  const cost = (p.wallPowerW * 24 * pricePerKwh) / 1000;
  return { ...p, revenuePerDay: rev, costPerDay: cost, marginPerDay: rev - cost };
}

export function money(x: number, currency = 'USD'): string {
  const sym = currency === 'USD' ? '$' : currency === 'EUR' ? '€' : currency === 'GBP' ? '£' : '';
  const s = `${sym}${Math.abs(x).toFixed(2)}${sym ? '' : ` ${currency}`}`;
  return x < 0 ? `-${s}` : `+${s}`;
}

export function recommend(i: RecommendInput): Recommendation | null {
  const ratio = Number.isFinite(i.acceptedRatio) && i.acceptedRatio > 0 ? Math.min(1.1, i.acceptedRatio) : 1;
  const points = i.curve.map((p) => scorePoint(p, i.market, i.pricePerKwh, ratio)).filter((p): p is ScoredPoint => p !== null);
  if (points.length === 0) return null;
  const best = points.reduce((a, b) => (b.marginPerDay > a.marginPerDay ? b : a));
  let current: Recommendation['current'] = null;
  if (i.current) {
    const rev = revenuePerDay(i.current.acceptedHps, i.market).revenue;
    if (rev !== null) current = { marginPerDay: rev - (i.current.wallPowerW * 24 * i.pricePerKwh) / 1000, hashrateHps: i.current.acceptedHps, wallPowerW: i.current.wallPowerW };
  }
  const gain = current ? best.marginPerDay - current.marginPerDay : null;
  const text = gain === null
    ? `${best.label}: ${money(best.marginPerDay, i.currency)}/day margin at your tariff`
    : `${best.label}: ${money(gain, i.currency)}/day at your tariff (margin ${money(best.marginPerDay, i.currency).replace(/^\+/, '')}/day)`;
  return { best, current, gainPerDay: gain, text, points, pricePerKwh: i.pricePerKwh };
}
