import { Chain, type ChainDriverOptions } from '../chainDriver';
import { bm1485 } from './index';

/** A bm1485 chain on a hal Uart (the shared driver with this family's codecs). */
export function createBm1485Chain(o: Omit<ChainDriverOptions, 'family'>): Chain {
  return new Chain({ ...o, family: bm1485 });
}
