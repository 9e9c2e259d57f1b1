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
