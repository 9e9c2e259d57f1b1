/**
 * Profitability (pure): revenue from the hashrate the pool accepted (not the nameplate), cost
 * from the measured power and the tariff. Expected coins per day for a scrypt coin are
 * H x 86400 x reward / (D x 2^32): a block at network difficulty D takes D x 2^32 hashes on
 * average (Litecoin and Dogecoin keep Bitcoin's difficulty-1 target). LTC and DOGE are merge-
 * mined, so the same hashes earn both; the pool's fee comes off both.
 */
import type { EconomicsProfit } from '../core/minerApi';
import type { MarketField, MarketQuality, MarketView } from './market';

export const HASHES_PER_DIFFICULTY = 2 ** 32;

export interface ProfitInput {
  acceptedHps: number | null;
  powerW: number | null;
  /** The price now, and the planned mean over the next 24 h (TOU), per kWh. */
  priceNowPerKwh: number;
  priceDayPerKwh: number;
  market: MarketView;
}

/** The figures (core/minerApi.ts `EconomicsProfit`: consumers read the same shape). */
export type ProfitFigures = EconomicsProfit;

export function coinsPerDay(hps: number, difficulty: number, reward: number): number {
  return (hps * 86_400 * reward) / (difficulty * HASHES_PER_DIFFICULTY);
}

/** Revenue per day for a hashrate (currency), and the coins, from market values. */
export function revenuePerDay(hps: number, v: Partial<Record<MarketField, number>>): { revenue: number | null; ltc: number | null; doge: number | null } {
  const fee = 1 - (v.poolFeePct ?? 0) / 100;
  const ltc = v.ltcDifficulty !== undefined && v.ltcReward !== undefined ? coinsPerDay(hps, v.ltcDifficulty, v.ltcReward) * fee : null;
  const doge = v.dogeDifficulty !== undefined && v.dogeReward !== undefined ? coinsPerDay(hps, v.dogeDifficulty, v.dogeReward) * fee : null;
  const ltcV = ltc !== null && v.ltcPrice !== undefined ? ltc * v.ltcPrice : null;
  const dogeV = doge !== null && v.dogePrice !== undefined ? doge * v.dogePrice : null;
  const revenue = ltcV === null && dogeV === null ? null : (ltcV ?? 0) + (dogeV ?? 0);
  return { revenue, ltc, doge };
}

export function marketQuality(m: MarketView): { quality: MarketQuality; degraded: string[] } {
  const degraded: string[] = [];
  let quality: MarketQuality = 'ok';
  for (const [f, s] of Object.entries(m.fields)) {
    if (s.quality === 'ok') continue;
    degraded.push(`${f} ${s.quality}`);
    if (s.quality === 'missing') quality = 'missing';
    else if (quality === 'ok') quality = 'stale';
  }
  return { quality, degraded };
}

const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

export function profit(i: ProfitInput): ProfitFigures {
  const { quality, degraded } = marketQuality(i.market);
  const h = finite(i.acceptedHps) && i.acceptedHps >= 0 ? i.acceptedHps : null;
  const w = finite(i.powerW) && i.powerW >= 0 ? i.powerW : null;
  const r = h === null ? { revenue: null, ltc: null, doge: null } : revenuePerDay(h, i.market.values);
  const kwhDay = w === null ? null : (w * 24) / 1000;
  const cost = kwhDay === null ? null : kwhDay * i.priceDayPerKwh;
  const costNow = kwhDay === null ? null : kwhDay * i.priceNowPerKwh;
  const mhs = h === null ? null : h / 1e6;
  return {
    accepted_hps: h,
    power_w: w,
    ltc_per_day: r.ltc,
    doge_per_day: r.doge,
    revenue_per_day: r.revenue,
    cost_per_day: cost,
    margin_per_day: r.revenue !== null && cost !== null ? r.revenue - cost : null,
    margin_now_per_day: r.revenue !== null && costNow !== null ? r.revenue - costNow : null,
    break_even_price_per_kwh: r.revenue !== null && kwhDay !== null && kwhDay > 0 ? r.revenue / kwhDay : null,
    j_per_mh: w !== null && mhs !== null && mhs > 0 ? w / mhs : null,
    revenue_per_mh_day: r.revenue !== null && mhs !== null && mhs > 0 ? r.revenue / mhs : null,
    cost_per_mh_day: cost !== null && mhs !== null && mhs > 0 ? cost / mhs : null,
    quality,
    degraded,
  };
}
