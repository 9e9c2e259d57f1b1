import { readJson, writeJson } from '../store';

/**
 * The persisted energy counter: `<dataDir>/energy.json` through src/store (atomic, checksummed,
 * .bak fallback). Written at most once per `minIntervalMs` (default 15 min = 96 writes/day) and
 * on stop, so a flash card is not worn by a counter.
 */
export interface EnergyRecord {
  kwh: number;
  savedAtMs: number;
}

/** The saved counter; 0 on first run. A corrupt file (both copies) starts afresh and says why. */
export function loadEnergy(path: string): { kwh: number; problem?: string } {
  try {
    const v = readJson<EnergyRecord>(path)?.data as Partial<EnergyRecord> | undefined;
    if (v === undefined) return { kwh: 0 };
    if (typeof v.kwh === 'number' && Number.isFinite(v.kwh) && v.kwh >= 0) return { kwh: v.kwh };
    return { kwh: 0, problem: 'energy record has no valid kwh' };
  } catch (err) {
    return { kwh: 0, problem: (err as Error).message };
  }
}

export class EnergySaver {
  private lastSaveMs = -Infinity;
  writes = 0;
  constructor(
    private readonly path: string,
    private readonly minIntervalMs = 15 * 60_000,
  ) {}

  /** Saves when the interval has passed (or `force`); returns whether it wrote. */
  maybeSave(nowMs: number, kwh: number, force = false): boolean {
    if (!force && nowMs - this.lastSaveMs < this.minIntervalMs) return false;
    writeJson(this.path, { kwh, savedAtMs: nowMs } satisfies EnergyRecord);
    this.lastSaveMs = nowMs;
    this.writes++;
    return true;
  }
}
