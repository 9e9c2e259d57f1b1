/** mining.suggest_difficulty `[D]`, sent after authorize; pools normally do not reply. */
import { ConfigError } from '../../../core/errors';

export function suggestDifficultyParams(d: number): [number] {
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0) {
    throw new ConfigError('KBS_E_STRATUM_BAD_SUGGEST', `mining.suggest_difficulty: ${String(d)} is not a positive number`, { hint: 'set suggestDifficulty to a positive number or leave it out' });
  }
  return [d];
}
