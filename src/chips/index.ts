/**
 * The one factory from a family id to its `ChipFamily` (framing, registers, PLL, work/nonce
 * codecs, nonce bit layout). Families load lazily with `require`.
 */
import { ConfigError } from '../core/errors';
import type { ChipFamily, ChipFamilyId } from './types';

export * from './types';
export { ReplyStream, HostStream } from './responseParser';

export const CHIP_FAMILIES: readonly ChipFamilyId[] = ['bm1485', 'bm1489', 'bm1366'];

const cache = new Map<ChipFamilyId, ChipFamily>();

export function getChipFamily(id: string): ChipFamily {
  const known = cache.get(id as ChipFamilyId);
  if (known) return known;
  let fam: ChipFamily;
  switch (id) {
    case 'bm1485':
      fam = (require('./bm1485') as typeof import('./bm1485')).bm1485;
      break;
    case 'bm1489':
      fam = (require('./bm1489') as typeof import('./bm1489')).bm1489;
      break;
    case 'bm1366':
      fam = (require('./bm13xx') as typeof import('./bm13xx')).bm1366;
      break;
    default:
      throw new ConfigError('KBS_E_CHIP_FAMILY', `unknown chip family '${id}'`, { hint: `one of: ${CHIP_FAMILIES.join(', ')}`, context: { family: id } });
  }
  cache.set(fam.id, fam);
  return fam;
}

/** Chip address and core code a nonce carries (chips.md §6). */
export function nonceOrigin(fam: ChipFamily, nonce: number): { chipAddress: number; core: number } {
  const l = fam.nonceLayout;
  return { chipAddress: (nonce >>> l.chipShift) & 0xff, core: (nonce >>> l.coreShift) & ((1 << l.coreBits) - 1) };
}
