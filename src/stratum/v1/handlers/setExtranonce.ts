/**
 * mining.set_extranonce `["extranonce1_hex", extranonce2_size]` (NiceHash): no reply; used from the
 * next mining.notify, even if that job id repeats. The current job keeps the extranonce it came with.
 */
import { extranonce1Of, extranonce2SizeOf, type HandlerEffect, type ServerHandler } from './types';

const M = 'mining.set_extranonce';

export const handleSetExtranonce: ServerHandler = (params): HandlerEffect[] => {
  const extranonce1 = extranonce1Of(params[0], M);
  const extranonce2Size = extranonce2SizeOf(params[1], M);
  return [{ kind: 'extranonce', extranonce1, extranonce2Size }];
};
