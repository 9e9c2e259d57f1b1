/**
 * Market inputs (pure): the figures revenue needs, where each came from and how old it is.
 * LTC and DOGE are merge-mined (AuxPoW): the same scrypt work earns both coins, so both count.
 * Parsing a source's payload is `parseMarketPayload`; the cache is `MarketCache` (marketCache.ts).
 */
import { resolvePointer } from './jsonPointer';

export const MARKET_FIELDS = ['ltcDifficulty', 'ltcReward', 'ltcPrice', 'dogeDifficulty', 'dogeReward', 'dogePrice', 'poolFeePct'] as const;
export type MarketField = (typeof MARKET_FIELDS)[number];

/** Plausible ranges: a value outside is refused as malformed (a unit slip, a wrong pointer). */
export const FIELD_RANGE: Record<MarketField, { min: number; max: number }> = {
  ltcDifficulty: { min: 1, max: 1e15 },
  ltcReward: { min: 0, max: 1e4 },
  ltcPrice: { min: 0, max: 1e7 },
  dogeDifficulty: { min: 1, max: 1e15 },
  dogeReward: { min: 0, max: 1e9 },
  dogePrice: { min: 0, max: 1e5 },
  poolFeePct: { min: 0, max: 100 },
};

export type MarketQuality = 'ok' | 'stale' | 'missing';

export interface MarketValue {
  value: number;
  /** Where it came from: `fixed`, `http:<name>`, `mqtt:<name>`. */
  source: string;
  /** When it was read (ms, the daemon's clock). */
  atMs: number;
}

/** What the profit maths reads: each field's value (null when unknown), its quality and age. */
export interface MarketView {
  values: Partial<Record<MarketField, number>>;
  fields: Record<MarketField, { quality: MarketQuality; source: string | null; age_s: number | null; value: number | null }>;
}

export interface ParsedPayload {
  values: Partial<Record<MarketField, number>>;
  /** Per field that the mapping names but the payload does not give as a plausible number. */
  problems: string[];
}

/** A number or a decimal string ("84.12"); anything else is not a value. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/.test(v) && v.length <= 64) return Number(v);
  return undefined;
}

/**
 * One source's payload (JSON text) through its field mapping (field -> JSON pointer). Never
 * throws: malformed JSON, a missing pointer, a non-number or an implausible value becomes a
 * problem and that field is left out.
 */
export function parseMarketPayload(text: string, mapping: Partial<Record<MarketField, string>>): ParsedPayload {
  const problems: string[] = [];
  const values: Partial<Record<MarketField, number>> = {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { values, problems: [`payload is not JSON: ${(err as Error).message.slice(0, 120)}`] };
  }
  for (const f of MARKET_FIELDS) {
    const ptr = mapping[f];
    if (ptr === undefined) continue;
    const n = numberOf(resolvePointer(doc, ptr));
    if (n === undefined) {
      problems.push(`${f}: ${JSON.stringify(ptr)} is not a number in the payload`);
      continue;
    }
    const r = FIELD_RANGE[f];
    if (n < r.min || n > r.max) {
      problems.push(`${f}: ${n} is outside ${r.min}..${r.max}`);
      continue;
    }
    values[f] = n;
  }
  return { values, problems };
}
