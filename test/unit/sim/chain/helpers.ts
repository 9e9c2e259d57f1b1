import type { ChipPhysics, ChainSupply } from '../../../../src/sim/types';

/** L3+ rate model (chips.md §13): 12 cores x 380 H/s per MHz. */
export function l3Physics(over: Partial<ChipPhysics> = {}): ChipPhysics {
  return {
    hashrateHps: (f) => f * 1e6 * 12 * 0.95 / 2500,
    hwErrorProbability: () => 0,
    responsive: () => true,
    ...over,
  };
}
export const powered: ChainSupply = { powered: () => true };

/** Collects bytes from the device side and splits them into frames with the family parser. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
