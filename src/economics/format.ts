/** `status.economics` as text for people (`kabosu profit`). Pure. */
import type { EconomicsStatus } from '../core/minerApi';

const n = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));

export function formatProfit(e: EconomicsStatus): string {
  const c = e.currency;
  const p = e.now;
  const L: string[] = [];
  L.push(`profit (${c}/day): revenue ${n(p.revenue_per_day)} - cost ${n(p.cost_per_day)} = margin ${n(p.margin_per_day)}  (margin at the price now ${n(p.margin_now_per_day)})${p.quality === 'ok' ? '' : `  [${p.quality}: ${p.degraded.join(', ')}]`}`);
  L.push(`  from ${p.accepted_hps === null ? '-' : (p.accepted_hps / 1e6).toFixed(1)} MH/s pool-accepted, ${n(p.ltc_per_day, 6)} LTC + ${n(p.doge_per_day, 3)} DOGE per day; J/MH ${n(p.j_per_mh, 3)}; revenue ${n(p.revenue_per_mh_day, 5)} / cost ${n(p.cost_per_mh_day, 5)} ${c} per MH/s per day`);
  L.push(`  break-even electricity price ${n(p.break_even_price_per_kwh, 4)} ${c}/kWh`);
  const pw = e.power;
  L.push(`power: ${n(pw.total_w, 0)} W from ${pw.source}${pw.uncertainty_pct === null ? '' : ` ±${pw.uncertainty_pct}%`}; boards ${pw.boards.map((b) => `${b.index}:${n(b.watts, 0)} W`).join(' ')}`);
  L.push(`tariff: ${n(e.tariff.price_per_kwh, 4)} ${c}/kWh now (${e.tariff.source}${e.tariff.quality === 'ok' ? '' : ', stale'}), 24 h planned mean ${n(e.tariff.day_mean_per_kwh, 4)}`);
  for (const [k, w] of Object.entries(e.windows)) L.push(`last ${k.padEnd(3)}: ${n(w.kwh, 3)} kWh, revenue ${n(w.revenue)} cost ${n(w.cost)} margin ${n(w.margin)} (${Math.round(w.coverage * 100)}% priced)`);
  const today = e.energy.by_day[e.energy.by_day.length - 1];
  const month = e.energy.by_month[e.energy.by_month.length - 1];
  if (today) L.push(`energy: today (${today.day}) ${n(today.kwh, 3)} kWh, this month (${month?.month}) ${n(month?.kwh, 3)} kWh`);
  const stale = Object.entries(e.market).filter(([, v]) => v.quality !== 'ok');
  L.push(`market: ${Object.entries(e.market).map(([k, v]) => `${k} ${v.value ?? '-'}${v.quality === 'ok' ? '' : ` (${v.quality})`}`).join(', ')}`);
  if (stale.length || e.market_problems.length) for (const pr of e.market_problems) L.push(`  source ${pr.source}: ${pr.message}`);
  const pol = e.policy;
  L.push(`policy: ${pol.curtailed ? `curtailed (${pol.reason}, ${pol.action})` : pol.reason ?? 'running'}; power target ${pol.power_target_w === null ? 'config' : `${Math.round(pol.power_target_w)} W`}${pol.setpoint_w === null ? '' : `, setpoint ${pol.setpoint_w} W`}${pol.auto_optimize ? ', auto-optimise on' : ''}`);
  if (pol.last_action) L.push(`  last action: ${pol.last_action.message}`);
  L.push(e.recommendation ? `recommendation: ${e.recommendation.text}` : 'recommendation: none yet (needs the tuner\'s measured curve and prices)');
  return L.join('\n') + '\n';
}
