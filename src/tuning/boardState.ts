/**
 * What the autotuner holds per board (phase, voltage, per-chip steps and caps, searches,
 * monitors, characterisations) and how a board starts: from a stored profile (validate) or from
 * stock (characterise). Pure data and constructors.
 */
import { ChipSearch } from './chipSearch';
import { floorIndex } from './ladder';
import type { Characterisation } from './model';
import { newSprt } from './sprt';
import type { SprtParams, SprtState } from './sprt';
import type { StepDown } from './recovery';
import type { BoardPhase, MinerSpec } from './types';

/** What a stored profile gives back for one board. */
export interface BoardStart {
  voltageV: number;
  index: number[];
  chars: Characterisation[];
  dead: boolean[];
}

export interface BoardState {
  phase: BoardPhase;
  voltageV: number;
  /** Ladder index each chip runs now. */
  index: number[];
  /** Highest index each chip may run (its tuned step); shedding holds index under it. */
  cap: number[];
  dead: boolean[];
  chars: Characterisation[];
  searches: Array<ChipSearch | null> | null;
  monitors: SprtState[];
  /** Validation: chips whose stored step passed. */
  validated: boolean[];
  phaseStartMs: number;
  /** Nonces and HW errors since tuned, per chip (for the report). */
  totals: { nonces: number; hwErrors: number; expected: number }[];
  steppedDown: number[];
  /** Per chip: when (and how hot) the monitor last took a step away, for recovery.ts. */
  downs: Array<StepDown | undefined>;
  /** The caps as first tuned (recovery never goes above them). */
  tunedCap: number[];
}

export interface SearchParams {
  stride: number;
  backoff: number;
  sprt: SprtParams;
}

export function newBoardState(spec: MinerSpec, start: BoardStart | null, p: SearchParams, nowMs: number): BoardState {
  const n = spec.chipsPerBoard;
  const stockIdx = floorIndex(spec.ladderMHz, spec.stockMHz);
  const st: BoardState = {
    phase: 'characterize-high',
    voltageV: spec.voltage.stockV,
    index: new Array<number>(n).fill(stockIdx),
    cap: new Array<number>(n).fill(stockIdx),
    dead: new Array<boolean>(n).fill(false),
    chars: [],
    searches: null,
    monitors: Array.from({ length: n }, newSprt),
    validated: new Array<boolean>(n).fill(false),
    phaseStartMs: nowMs,
    totals: Array.from({ length: n }, () => ({ nonces: 0, hwErrors: 0, expected: 0 })),
    steppedDown: [],
    downs: [],
    tunedCap: new Array<number>(n).fill(stockIdx),
  };
  if (start && start.index.length === n) {
    st.phase = 'validate';
    st.voltageV = start.voltageV;
    st.index = [...start.index];
    st.cap = [...start.index];
    st.chars = start.chars.map((c) => ({ voltageV: c.voltageV, freqMHz: [...c.freqMHz] }));
    st.dead = [...start.dead];
  } else resetForCharacterisation(st, spec, p);
  return st;
}

/** Back to stock voltage and steps, every chip searching from stock (a new or failed board). */
export function resetForCharacterisation(b: BoardState, spec: MinerSpec, p: SearchParams): void {
  const stockIdx = floorIndex(spec.ladderMHz, spec.stockMHz);
  b.voltageV = spec.voltage.stockV;
  b.chars = [];
  b.dead = b.dead.map(() => false);
  b.index = b.index.map(() => stockIdx);
  b.searches = b.index.map((i) => new ChipSearch(i, { stride: p.stride, backoff: p.backoff, sprt: p.sprt, maxIndex: spec.ladderMHz.length - 1 }));
  b.monitors = b.monitors.map(newSprt);
}
