/** Thermal settings from a board definition's `hashBoard.thermal` (target/hot/dangerous). */
import { DEFAULT_INTERLOCK, type InterlockLimits } from './interlockRules';
import type { PidOptions } from './pid';
import { DEFAULT_POLICY, type PolicyLimits } from './policy';

export interface BoardThermal {
  targetC: number;
  hotC: number;
  dangerousC: number;
}

export const DEFAULT_PID: PidOptions = { kp: 6, ki: 0.25, kd: 0, outMin: 10, outMax: 100, slewPerS: 5 };

export function limitsFor(t: BoardThermal): { policy: PolicyLimits; interlock: Omit<InterlockLimits, 'immersion'> } {
  return {
    policy: { ...DEFAULT_POLICY, ...t },
    interlock: { ...DEFAULT_INTERLOCK, dangerousC: t.dangerousC, coolBelowC: t.targetC },
  };
}

/**
 * The limits to run with: the board definition's, except where the config sets a value other
 * than the schema default (the schema fills defaults, so an unchanged default means "not set").
 * The board's dangerousC is a hard limit no config raises (config validation refuses it too;
 * this holds on every path). If the mix breaks target < hot < dangerous, the board's limits are
 * used and `note` says why.
 */
export function effectiveLimits(board: BoardThermal, config: BoardThermal, schemaDefaults: BoardThermal): { limits: BoardThermal; note?: string } {
  const pick = (k: keyof BoardThermal): number => (config[k] !== schemaDefaults[k] ? config[k] : board[k]);
  const limits = { targetC: pick('targetC'), hotC: pick('hotC'), dangerousC: Math.min(pick('dangerousC'), board.dangerousC) };
  const clamped = limits.dangerousC < pick('dangerousC') ? `config dangerousC ${pick('dangerousC')} is above the board's hard limit; using ${board.dangerousC}` : undefined;
  if (limits.targetC < limits.hotC && limits.hotC < limits.dangerousC) return clamped ? { limits, note: clamped } : { limits };
  return { limits: board, note: `config thermal limits ${JSON.stringify(limits)} combined with the board's break target < hot < dangerous; using the board's ${JSON.stringify(board)}` };
}
