/**
 * One thermal decision per tick (pure): the interlock, the cool-down, fan health, the hot /
 * dangerous policy and the fan PID judge the same readings once, in that order, and give one
 * `ThermalDecision`: the boards to power off, the boards that may be re-initialised, the fans
 * that failed or recovered, the frequency scale (and whether the policy changed it) and the fan
 * duty to command. The controller (thermalController.ts) only samples the hardware, calls this
 * and carries the decision out; no rule acts on its own. As bosminer's single decision per tick.
 *
 * Order matters and is the safety order: trips first (a board tripped in this tick starts its
 * cool-down from scratch), then the cool-down of every tripped board (it needs cool readings AND
 * air), then fan health, then the policy and the PID on the hottest reading.
 */
import { DEFAULT_FAN_HEALTH, fanHealthStep, type FanHealthState, type FanModel } from './fanHealth';
import { coolDownStep, evaluateInterlock, type BoardInputs, type CoolDown, type InterlockLimits, type Trip } from './interlockRules';
import { pidStep, type PidOptions, type PidState } from './pid';
import { policyStep, type PolicyLevel, type PolicyLimits, type PolicyState } from './policy';

/** A fan below this is stopped (the interlock's and the cool-down's line; mining's fan gate uses the same). */
export const MIN_RUNNING_RPM = 300;

export type FanMode = { mode: 'auto' } | { mode: 'manual'; duty: number } | { mode: 'immersion' };

export interface ThermalRules {
  interlock: Omit<InterlockLimits, 'immersion'>;
  policy: PolicyLimits;
  pid: PidOptions;
  fanModels: readonly FanModel[];
}

/** What the rules remember between ticks. */
export interface ThermalState {
  /** Per board: the trip reason while it is held off, else null. */
  tripped: (string | null)[];
  cool: CoolDown[];
  /** Per board: reinit_ready was given for this trip (the owner re-initialises, then releases). */
  readyGiven: boolean[];
  fanHealth: FanHealthState[];
  policy: PolicyState;
  pid: PidState;
}

export interface ThermalInputs {
  nowMs: number;
  /** Seconds since the last tick (the PID's dt). */
  dtS: number;
  mode: FanMode;
  /** Every board with its sensor readings, whether it is powered, and its regulator's health. */
  boards: readonly BoardInputs[];
  fanRpm: readonly (number | null)[];
  /** The duty the fans are commanded now (%). */
  commandedDuty: number;
}

export interface ThermalDecision {
  /** Boards to power off now (locked until released), each with its reason. */
  trips: Trip[];
  /** Tripped boards that read cool for the hold time with air moving: the owner may re-init them. */
  reinitReady: number[];
  /** Fans whose failed verdict changed in this tick. */
  fanChanges: Array<{ fan: number; failed: boolean }>;
  freqScale: number;
  level: PolicyLevel;
  /** The policy changed the scale or its level in this tick (throttle, restore, cooled). */
  throttleChanged: boolean;
  /** Duty to command (auto mode, when it moves by 0.05 % or more); null: leave the fans. */
  fanDuty: number | null;
  /** The hottest reading the policy and PID judged, null when no sensor has one. */
  hottestC: number | null;
}

export function hottestReading(boards: readonly BoardInputs[]): number | null {
  let max: number | null = null;
  for (const b of boards) for (const r of b.sensors) if (r && (max === null || r.tempC > max)) max = r.tempC;
  return max;
}

export function decideThermal(rules: ThermalRules, s: ThermalState, i: ThermalInputs): { state: ThermalState; decision: ThermalDecision } {
  const limits: InterlockLimits = { ...rules.interlock, immersion: i.mode.mode === 'immersion' };
  const fans = { rpm: i.fanRpm, duty: i.commandedDuty, minRunningRpm: MIN_RUNNING_RPM };
  const tripped = [...s.tripped];
  const cool = [...s.cool];
  const readyGiven = [...s.readyGiven];

  // 1. Safety: a board already tripped is already off (a worker trip in flight included).
  const trips = evaluateInterlock(limits, i.boards, fans, i.nowMs).filter((t) => tripped[t.board] === null);
  for (const t of trips) {
    tripped[t.board] = t.reason;
    readyGiven[t.board] = false;
    cool[t.board] = { coolSinceMs: null };
  }

  // 2. Cool-down of every tripped board.
  const reinitReady: number[] = [];
  tripped.forEach((reason, board) => {
    if (reason === null || readyGiven[board]) return;
    const r = coolDownStep(limits, cool[board]!, i.boards[board]?.sensors ?? [], fans, i.nowMs);
    cool[board] = r.state;
    if (r.ready) {
      readyGiven[board] = true;
      reinitReady.push(board);
    }
  });

  // 3. Fan health against the commanded duty.
  const fanChanges: ThermalDecision['fanChanges'] = [];
  const fanHealth = rules.fanModels.map((m, f) => {
    const r = fanHealthStep(DEFAULT_FAN_HEALTH, m, s.fanHealth[f]!, i.commandedDuty, i.fanRpm[f] ?? null, i.nowMs);
    if (r.changed) fanChanges.push({ fan: f, failed: r.state.failed });
    return r.state;
  });

  // 4. Policy and PID on the hottest reading (none: both hold).
  const hottest = hottestReading(i.boards);
  let policy = s.policy;
  let pid = s.pid;
  let throttleChanged = false;
  let fanDuty: number | null = null;
  if (hottest !== null) {
    const p = policyStep(rules.policy, s.policy, hottest, i.nowMs);
    policy = p.state;
    throttleChanged = p.action.kind === 'throttle' || p.action.kind === 'restore' || p.action.kind === 'cooled';
    if (i.mode.mode === 'auto') {
      pid = pidStep(rules.pid, s.pid, rules.policy.targetC, hottest, i.dtS);
      if (Math.abs(pid.output - i.commandedDuty) >= 0.05) fanDuty = pid.output;
    }
  }

  return {
    state: { tripped, cool, readyGiven, fanHealth, policy, pid },
    decision: { trips, reinitReady, fanChanges, freqScale: policy.scale, level: policy.level, throttleChanged, fanDuty, hottestC: hottest },
  };
}
