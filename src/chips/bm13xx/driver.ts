import { Chain, type ChainDriverOptions } from '../chainDriver';
import { bm1366 } from './index';

/** A bm1366 chain on a hal Uart (the shared driver with this family's codecs). */
export function createBm1366Chain(o: Omit<ChainDriverOptions, 'family'>): Chain {
  return new Chain({ ...o, family: bm1366 });
}
