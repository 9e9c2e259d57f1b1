/**
 * `kabosu bench economics [--json] [--smoke]`: the margin-maximising operating point and policy
 * on the simulator's efficiency curve (issue #22 targets).
 *
 * 1. Point: the tuner is run on the statistical rig (tuneRig.ts: sim physics, Poisson counts)
 *    until it has characterised the boards; its measured curve (src/economics/curve.ts) and the
 *    stated market figures give the recommendation (src/economics/recommend.ts) at several
 *    electricity prices. The chosen power target is scored by the oracle (the best the hidden
 *    truth allows at that target) against the oracle's best margin over all power caps (coarse
 *    sweep, then golden-section refinement around the best). Target: within 2 %.
 * 2. 30 days accelerated: every simulated hour, the recommendation at the hour's price (a time-
 *    of-use tariff) picks the operating point (or off); its true hashrate and power come from the
 *    oracle at that target. Compared with stock settings run flat out (the rig's true figures at
 *    stock voltage and frequency). Target: net margin >= 20 % better. Prices follow a seeded
 *    daily random walk. Pure simulation: no daemon, no clock.
 */
import { loadBoard } from '../../src/config/boardLoader';
import { tunerCurve } from '../../src/economics/curve';
import { revenuePerDay } from '../../src/economics/profit';
import { recommend, type CurvePoint } from '../../src/economics/recommend';
import { priceAt, type TariffSpec } from '../../src/economics/tariff';
import { SeededRandom } from '../../src/sim/physics/random';
import { runScenario } from './tuneScenario';
import type { TuneRig } from './tuneRig';

export const ASSUMPTIONS = {
  market: { ltcDifficulty: 4.5e7, ltcReward: 6.25, ltcPrice: 85, dogeDifficulty: 2.0e7, dogeReward: 10_000, dogePrice: 0.15, poolFeePct: 1 },
  note: 'LTC difficulty 45 M (~1.3 PH/s), 6.25 LTC/block, $85; DOGE difficulty 20 M (~1.4 PH/s), 10,000 DOGE/block, $0.15; pool fee 1 %; accepted = true hashrate (no rejects); idle (paused) 10 W',
  priceWalkSigmaPerDay: 0.03,
  idleW: 10,
  tariff: {
    kind: 'schedule',
    pricePerKwh: 0.14,
    schedule: [
      { days: [1, 2, 3, 4, 5], from: '16:00', to: '21:00', pricePerKwh: 0.32 },
      { from: '23:00', to: '07:00', pricePerKwh: 0.07 },
      { days: [0, 6], from: '07:00', to: '23:00', pricePerKwh: 0.12 },
    ],
  } satisfies TariffSpec,
  tariffNote: 'time-of-use: weekdays peak 16-21 $0.32/kWh, off-peak 23-07 $0.07, shoulder $0.14; weekends $0.12 day, $0.07 night',
};

type Market = typeof ASSUMPTIONS.market;

function margin(h: number, w: number, price: number, m: Market): number {
  return revenuePerDay(h, m).revenue! - (w * 24 * price) / 1000;
}

/** The oracle's true figures at a power target (cached: each solve is ~2 s). */
function oracleAt(rig: TuneRig, cache: Map<number, { h: number; w: number }>, watts: number): { h: number; w: number } {
  const k = Math.round(watts);
  let v = cache.get(k);
  if (!v) {
    // Below the lowest reachable power the oracle answers its cheapest configuration (feasible
    // false): what a tuner asked for an unreachable budget runs at.
    const o = rig.oracle({ kind: 'power', maxPowerW: k });
    v = { h: o.hashrateHps, w: o.wallPowerW };
    cache.set(k, v);
  }
  return v;
}

/** The oracle's best margin over power caps: a sweep, then golden-section around the best. */
function oracleBest(rig: TuneRig, cache: Map<number, { h: number; w: number }>, price: number, m: Market, lo: number, hi: number, steps: number): { watts: number; margin: number } {
  const f = (w: number) => (w <= 0 ? -(ASSUMPTIONS.idleW * 24 * price) / 1000 : (({ h, w: ww }) => margin(h, ww, price, m))(oracleAt(rig, cache, w)));
  let best = { watts: 0, margin: f(0) };
  const grid = Array.from({ length: steps + 1 }, (_, k) => lo + ((hi - lo) * k) / steps);
  for (const w of grid) if (f(w) > best.margin) best = { watts: w, margin: f(w) };
  if (best.watts > 0) {
    const span = (hi - lo) / steps;
    let a = Math.max(lo, best.watts - span);
    let b = Math.min(hi, best.watts + span);
    const g = (Math.sqrt(5) - 1) / 2;
    for (let i = 0; i < 8; i++) {
      const c = b - g * (b - a);
      const d = a + g * (b - a);
      if (f(c) > f(d)) b = d;
      else a = c;
    }
    for (const w of [a, b, (a + b) / 2]) if (f(w) > best.margin) best = { watts: w, margin: f(w) };
  }
  return best;
}

export async function benchEconomics(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const board = 'l7';
  const b = loadBoard(board);
  const seeds = o.smoke ? [1] : [1, 2];
  const prices = o.smoke ? [0.1] : [0.05, 0.1, 0.15, 0.2, 0.25];
  const m = ASSUMPTIONS.market;
  const lines: string[] = [];
  const pointRows: Array<Record<string, number | string>> = [];
  const runs: Array<Record<string, unknown>> = [];
  for (const seed of seeds) {
    const t0 = Date.now();
    const sc = runScenario({ board, seed, target: { kind: 'efficiency', minHashrateHps: b.published.hashrateHps }, holdMinutes: 1 });
    const rig = sc.rig;
    const curve: CurvePoint[] = tunerCurve(sc.tuner, b.published, { idleW: ASSUMPTIONS.idleW });
    const cache = new Map<number, { h: number; w: number }>();
    const lo = Math.min(...curve.filter((p) => p.wallPowerW > 100).map((p) => p.wallPowerW)) * 0.9;
    const hi = Math.max(...curve.map((p) => p.wallPowerW)) * 1.02;
    for (const price of prices) {
      const rec = recommend({ curve, market: m, pricePerKwh: price, acceptedRatio: 1, current: null })!;
      const chosen = rec.best.apply.kind === 'power' ? oracleAt(rig, cache, rec.best.apply.watts) : { h: 0, w: ASSUMPTIONS.idleW };
      const got = margin(chosen.h, chosen.w, price, m);
      const best = oracleBest(rig, cache, price, m, lo, hi, o.smoke ? 4 : 14);
      const ratio = got / best.margin;
      pointRows.push({ seed, price, chosen: rec.best.label, chosenMargin: got, oracleBestMargin: best.margin, oracleBestW: best.watts, ratio });
      lines.push(`seed ${seed} @ $${price.toFixed(2)}/kWh: chose ${rec.best.label.padEnd(16)} -> true margin $${got.toFixed(3)}/day; oracle best $${best.margin.toFixed(3)}/day at ${best.watts.toFixed(0)} W: ${(ratio * 100).toFixed(2)} %${ratio >= 0.98 ? '' : '  (BELOW 98 %)'}`);
    }

    // 30 days, hourly, from a Monday 00:00 UTC.
    const start = Date.parse('2026-11-02T00:00:00Z');
    const stock = { h: sc.stock.hashrateHps, w: sc.stock.wallPowerW };
    const rng = new SeededRandom(seed).fork('econ-prices');
    let ltc = m.ltcPrice;
    let doge = m.dogePrice;
    let stockNet = 0;
    let policyNet = 0;
    let offHours = 0;
    // Attribution: the operating point alone (never off), and stock with curtailment alone.
    let pointOnlyNet = 0;
    let stockCurtailNet = 0;
    const onCurve = curve.filter((p) => p.apply.kind === 'power');
    let kwhStock = 0;
    let kwhPolicy = 0;
    const days = o.smoke ? 3 : 30;
    const hours = days * 24;
    for (let hIdx = 0; hIdx < hours; hIdx++) {
      if (hIdx % 24 === 0 && hIdx > 0) {
        ltc *= Math.exp(ASSUMPTIONS.priceWalkSigmaPerDay * rng.normal());
        doge *= Math.exp(ASSUMPTIONS.priceWalkSigmaPerDay * rng.normal());
      }
      const mk = { ...m, ltcPrice: ltc, dogePrice: doge };
      const price = priceAt(ASSUMPTIONS.tariff, start + hIdx * 3_600_000).pricePerKwh;
      stockNet += margin(stock.h, stock.w, price, mk) / 24;
      kwhStock += stock.w / 1000;
      const rec = recommend({ curve, market: mk, pricePerKwh: price, acceptedRatio: 1, current: null })!;
      const p = rec.best.apply.kind === 'power' ? oracleAt(rig, cache, rec.best.apply.watts) : { h: 0, w: ASSUMPTIONS.idleW };
      if (p.h === 0) offHours++;
      policyNet += margin(p.h, p.w, price, mk) / 24;
      const po = recommend({ curve: onCurve, market: mk, pricePerKwh: price, acceptedRatio: 1, current: null })!;
      const pp = po.best.apply.kind === 'power' ? oracleAt(rig, cache, po.best.apply.watts) : p;
      pointOnlyNet += margin(pp.h, pp.w, price, mk) / 24;
      stockCurtailNet += Math.max(margin(stock.h, stock.w, price, mk), margin(0, ASSUMPTIONS.idleW, price, mk)) / 24;
      kwhPolicy += p.w / 1000;
    }
    const improvement = (policyNet - stockNet) / Math.abs(stockNet);
    runs.push({ seed, days, stockNetMargin: stockNet, policyNetMargin: policyNet, improvement, pointOnlyNetMargin: pointOnlyNet, stockCurtailOnlyNetMargin: stockCurtailNet, offHours, kwhStock, kwhPolicy, stock, realMs: Date.now() - t0 });
    lines.push(`seed ${seed} ${days} days (TOU): stock flat out net $${stockNet.toFixed(2)} (${kwhStock.toFixed(0)} kWh); margin-maximising policy net $${policyNet.toFixed(2)} (${kwhPolicy.toFixed(0)} kWh, off ${offHours} h): ${(improvement * 100).toFixed(1)} % better${improvement >= 0.2 ? '' : '  (BELOW +20 %)'}; attribution: operating point alone $${pointOnlyNet.toFixed(2)} (${(((pointOnlyNet - stockNet) / Math.abs(stockNet)) * 100).toFixed(1)} %), stock + curtailment alone $${stockCurtailNet.toFixed(2)} (${(((stockCurtailNet - stockNet) / Math.abs(stockNet)) * 100).toFixed(1)} %)  [${Date.now() - t0} ms real]`);
  }
  const summary = {
    worstPointRatio: Math.min(...pointRows.map((r) => r.ratio as number)),
    pointTarget: 0.98,
    worstThirtyDayImprovement: Math.min(...runs.map((r) => r.improvement as number)),
    thirtyDayTarget: 0.2,
    assumptions: { market: ASSUMPTIONS.note, tariff: ASSUMPTIONS.tariffNote, priceWalk: `LTC and DOGE prices: seeded daily log random walk, sigma ${ASSUMPTIONS.priceWalkSigmaPerDay}`, board: `${board} (sim), ambient 25 C, full fan duty` },
    method: 'tuner on the statistical rig -> measured curve -> recommendation; outcomes scored by the simulator oracle at the chosen power target',
  };
  lines.push(JSON.stringify(summary, null, 1));
  return { table: lines.join('\n') + '\n', result: { points: pointRows, runs, summary } };
}
