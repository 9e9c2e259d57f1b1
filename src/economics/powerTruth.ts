/**
 * Power truth (pure): per board and total from the best source present, with the source and its
 * uncertainty. Order: a wall meter (it measures what the electricity bill counts, PSU losses
 * included), then the PSU's PMBus input power, else the power model (src/power: C·V²·f +
 * leakage, prior from the published figure). Boards are never metered one by one on these
 * miners, so a board's share is the model's split of the measured total.
 */
import type { PowerStatus } from '../core/minerApi';
import { POWER_UNCERTAINTY } from '../power/powerAccountant';

export type PowerSource = 'wall-meter' | 'pmbus' | 'model' | 'none';

/** Stated uncertainty per source (src/power owns the figures; docs/economics.md says why). */
export const UNCERTAINTY = POWER_UNCERTAINTY;

export interface PowerTruth {
  source: PowerSource;
  total_w: number | null;
  uncertainty_pct: number | null;
  boards: { index: number; watts: number | null; uncertainty_pct: number | null }[];
}

export interface MeterReading {
  watts: number;
  ageMs: number;
}

export function powerTruth(p: PowerStatus | undefined, meter: MeterReading | null, o: { meterMaxAgeMs: number; meterUncertainty: number }): PowerTruth {
  const boards = p?.boards ?? [];
  const modelSum = p?.wall_w ?? null;
  const meterOk = meter !== null && Number.isFinite(meter.watts) && meter.watts >= 0 && meter.ageMs <= o.meterMaxAgeMs;
  const pct = (x: number) => Math.round(x * 1000) / 10;
  if (meterOk) {
    const scale = modelSum && modelSum > 0 ? meter.watts / modelSum : null;
    return {
      source: 'wall-meter',
      total_w: meter.watts,
      uncertainty_pct: pct(o.meterUncertainty),
      boards: boards.map((b) => ({ index: b.index, watts: b.watts === null || scale === null ? null : b.watts * scale, uncertainty_pct: pct(UNCERTAINTY.boardShare) })),
    };
  }
  if (!p || p.wall_w === null) return { source: 'none', total_w: null, uncertainty_pct: null, boards: boards.map((b) => ({ index: b.index, watts: null, uncertainty_pct: null })) };
  const measured = p.measured;
  return {
    source: measured ? 'pmbus' : 'model',
    total_w: p.wall_w,
    uncertainty_pct: pct(measured ? UNCERTAINTY.pmbus : UNCERTAINTY.model),
    boards: boards.map((b) => ({ index: b.index, watts: b.watts, uncertainty_pct: b.watts === null ? null : pct(measured ? UNCERTAINTY.boardShare : UNCERTAINTY.model) })),
  };
}

/** A wall meter payload: a number, a decimal string, or `{"power": n}` / `{"watts": n}` / `{"power_w": n}` (Tasmota `ENERGY.Power` too). */
export function parseMeterPayload(text: string): number | null {
  const t = text.trim();
  if (t.length === 0 || t.length > 8192) return null;
  let v: unknown = t;
  try {
    v = JSON.parse(t);
  } catch {
    /* bare */
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const energy = o.ENERGY as Record<string, unknown> | undefined;
    v = o.watts ?? o.power_w ?? o.power ?? (energy && typeof energy === 'object' ? energy.Power : undefined);
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 100_000 ? n : null;
}
