import type { EconomicsStatus } from '../../core/minerApi';

/**
 * Prometheus families for `status.economics` (src/economics): money as gauges labelled with the
 * currency, power with its source, market inputs with their age and quality. Bounded labels only.
 */
type Sample = { labels: Record<string, string | number>; value: number };
type Family = { name: string; help: string; type: 'gauge' | 'counter'; samples: Sample[] };

export function economicsFamilies(e: EconomicsStatus | undefined): Family[] {
  if (!e) return [];
  const cur = { currency: e.currency };
  const fam = (name: string, help: string, samples: Sample[]): Family => ({ name: `kabosu_economics_${name}`, type: 'gauge', help, samples });
  const one = (v: number | null, labels: Record<string, string | number> = cur): Sample[] => (v === null || !Number.isFinite(v) ? [] : [{ labels, value: v }]);
  const p = e.now;
  return [
    fam('revenue_per_day', 'Expected revenue per day from pool-accepted hashrate (LTC + DOGE, less the pool fee).', one(p.revenue_per_day)),
    fam('cost_per_day', 'Electricity cost per day at the measured power and the planned 24 h mean price.', one(p.cost_per_day)),
    fam('margin_per_day', 'Revenue minus cost per day.', one(p.margin_per_day)),
    fam('margin_now_per_day', 'Margin per day at the electricity price right now.', one(p.margin_now_per_day)),
    fam('break_even_price_per_kwh', 'Electricity price at which revenue pays for the power.', one(p.break_even_price_per_kwh)),
    fam('electricity_price_per_kwh', 'Electricity price now.', one(e.tariff.price_per_kwh)),
    fam('efficiency_joules_per_hash', 'Measured wall energy per pool-accepted hash.', one(p.j_per_mh === null ? null : p.j_per_mh / 1e6, {})),
    fam('power_watts', 'Wall power from the best source present (label source).', one(e.power.total_w, { source: e.power.source })),
    fam('power_uncertainty_ratio', 'Stated relative uncertainty of power_watts.', one(e.power.uncertainty_pct === null ? null : e.power.uncertainty_pct / 100, { source: e.power.source })),
    fam('window_margin', 'Margin accumulated over the window (1h, 24h, 30d).', Object.entries(e.windows).map(([w, f]) => ({ labels: { ...cur, window: w }, value: f.margin }))),
    fam('window_energy_kwh', 'Energy over the window, kWh.', Object.entries(e.windows).map(([w, f]) => ({ labels: { window: w }, value: f.kwh }))),
    fam('market_input_ok', '1 when the market input is fresh, 0 when stale or missing.', Object.entries(e.market).map(([field, v]) => ({ labels: { field }, value: v.quality === 'ok' ? 1 : 0 }))),
    fam('market_input_age_seconds', 'Age of a live market input.', Object.entries(e.market).filter(([, v]) => v.age_s !== null).map(([field, v]) => ({ labels: { field }, value: v.age_s as number }))),
    fam('curtailed', '1 while the energy-price policy curtails mining.', [{ labels: {}, value: e.policy.curtailed ? 1 : 0 }]),
    fam('recommended_gain_per_day', 'Expected margin gain per day of the recommended operating point over now.', one(e.recommendation?.gain_per_day ?? null)),
  ];
}
