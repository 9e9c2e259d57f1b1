/**
 * Presets for people who do not want to choose numbers (config `tuning.preset`):
 * - eco: lowest J/TH with at least 80 % of the published hashrate;
 * - stock: no tuning (stock voltage and frequency);
 * - max: the most hashrate the boards sustain within their thermal limit.
 * And the config's `tuning.target` with its numbers, mapped to a TuningTarget.
 */
import type { TuningTarget } from './types';

export type PresetName = 'eco' | 'stock' | 'max';

export function presetTarget(name: PresetName, published: { hashrateHps: number }): TuningTarget | null {
  if (name === 'stock') return null;
  if (name === 'eco') return { kind: 'efficiency', minHashrateHps: 0.8 * published.hashrateHps };
  return { kind: 'hashrate', hashrateHps: null };
}

export interface TuningConfigLike {
  target?: 'stock' | 'efficiency' | 'power' | 'hashrate';
  preset?: PresetName;
  powerW?: number;
  /** MH/s, as in config. */
  hashrateFloor?: number;
}

/** The target config asks for; null = stock (no tuning). An explicit target wins over the preset. */
export function targetFromConfig(c: TuningConfigLike, published: { hashrateHps: number; wallPowerW: number }): TuningTarget | null {
  const floor = c.hashrateFloor !== undefined ? c.hashrateFloor * 1e6 : undefined;
  switch (c.target) {
    case 'efficiency':
      return { kind: 'efficiency', minHashrateHps: floor ?? published.hashrateHps };
    case 'power':
      return { kind: 'power', maxPowerW: c.powerW ?? published.wallPowerW };
    case 'hashrate':
      return { kind: 'hashrate', hashrateHps: floor ?? null };
    default:
      return presetTarget(c.preset ?? 'stock', published);
  }
}
