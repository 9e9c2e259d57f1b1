/**
 * mining.set_difficulty `[D]`: applies to the next notify. D must be a number in
 * [MIN_POOL_DIFFICULTY, MAX_POOL_DIFFICULTY] (fractional allowed):
 * - below MIN (1e-300, 5e-324): clamped up to MIN, which changes nothing (every target below it
 *   saturates at 2^256 - 1: every hash is a share); reported as `clampedFrom`;
 * - anything else (0, negative, NaN/Infinity-like, above MAX such as 1e300 or 1.7e308, strings,
 *   null, missing): a `badDifficulty` effect. The session counts and logs it, and no job is built
 *   on it: the pool's difficulty is unknown, so any share would be a guess (see notify.ts).
 */
import type { HandlerEffect, ServerHandler } from './types';

/** Scrypt pool difficulty below which the share target saturates at 2^256 - 1 (0xffff / 2^32). */
export const MIN_POOL_DIFFICULTY = 0xffff / 2 ** 32;
/**
 * Largest usable pool difficulty: 2^64. A share there takes 2^80 scrypt hashes on average
 * (scrypt diff 1 = 2^16 hashes): millions of years at 10 GH/s, while pool difficulties seen in
 * the wild stay below 1e13 (network difficulty 3e7 x 65536, solo).
 */
export const MAX_POOL_DIFFICULTY = 2 ** 64;

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 32));
  if (typeof v === 'number' || v === null || v === undefined || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

/** The effect of one proposed pool difficulty (pure; shared by the handler and tests). */
export function difficultyEffect(d: unknown): HandlerEffect {
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) {
    return { kind: 'badDifficulty', value: describe(d), reason: 'difficulty must be a positive finite number' };
  }
  if (d > MAX_POOL_DIFFICULTY) {
    return { kind: 'badDifficulty', value: describe(d), reason: `difficulty above ${MAX_POOL_DIFFICULTY}: no share could ever be found` };
  }
  if (d < MIN_POOL_DIFFICULTY) return { kind: 'difficulty', difficulty: MIN_POOL_DIFFICULTY, clampedFrom: d };
  return { kind: 'difficulty', difficulty: d };
}

export const handleSetDifficulty: ServerHandler = (params): HandlerEffect[] => [difficultyEffect(params[0])];
