/** mining.set_difficulty `[D]`: D a positive finite number (may be fractional); applies to the next notify. */
import { badParams, type HandlerEffect, type ServerHandler } from './types';

export const handleSetDifficulty: ServerHandler = (params): HandlerEffect[] => {
  const d = params[0];
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) badParams('mining.set_difficulty', 'difficulty must be a positive number');
  return [{ kind: 'difficulty', difficulty: d as number }];
};
