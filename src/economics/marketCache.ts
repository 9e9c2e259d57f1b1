/**
 * The market inputs as last read, per field, with age (pure: time comes in as arguments). A
 * value older than `maxAgeMs` is stale: still shown, flagged, and not acted on; a field no source
 * gave is missing. Fixed config values fill what no live source gives.
 */
import { MARKET_FIELDS, type MarketField, type MarketValue, type MarketView } from './market';

export class MarketCache {
  private readonly live = new Map<MarketField, MarketValue>();
  private fixed: Partial<Record<MarketField, number>> = {};
  /** Last problem per source (shown in the report). */
  readonly problems = new Map<string, { atMs: number; message: string }>();

  constructor(private maxAgeMs: number) {}

  configure(fixed: Partial<Record<MarketField, number>>, maxAgeMs: number): void {
    this.fixed = { ...fixed };
    this.maxAgeMs = maxAgeMs;
  }

  put(source: string, atMs: number, values: Partial<Record<MarketField, number>>, problems: readonly string[] = []): void {
    for (const f of MARKET_FIELDS) {
      const v = values[f];
      if (v !== undefined && Number.isFinite(v)) this.live.set(f, { value: v, source, atMs });
    }
    if (problems.length) this.problems.set(source, { atMs, message: problems.join('; ') });
    else this.problems.delete(source);
  }

  fail(source: string, atMs: number, message: string): void {
    this.problems.set(source, { atMs, message });
  }

  view(nowMs: number): MarketView {
    const values: MarketView['values'] = {};
    const fields = {} as MarketView['fields'];
    for (const f of MARKET_FIELDS) {
      const l = this.live.get(f);
      const fresh = l !== undefined && nowMs - l.atMs <= this.maxAgeMs;
      const fx = this.fixed[f];
      if (l && fresh) {
        values[f] = l.value;
        fields[f] = { quality: 'ok', source: l.source, age_s: Math.max(0, (nowMs - l.atMs) / 1000), value: l.value };
      } else if (fx !== undefined) {
        // A configured value is the operator's statement: never stale.
        values[f] = fx;
        fields[f] = { quality: 'ok', source: 'fixed', age_s: null, value: fx };
      } else if (l) {
        values[f] = l.value;
        fields[f] = { quality: 'stale', source: l.source, age_s: (nowMs - l.atMs) / 1000, value: l.value };
      } else fields[f] = { quality: 'missing', source: null, age_s: null, value: null };
    }
    return { values, fields };
  }
}
