import { Chain, type ChainDriverOptions } from '../chainDriver';
import { bm1489 } from './index';

/** A bm1489 chain on a hal Uart (the shared driver with this family's codecs). */
export function createBm1489Chain(o: Omit<ChainDriverOptions, 'family'>): Chain {
  return new Chain({ ...o, family: bm1489 });
}
