/**
 * The one frequency plan of a miner (pure, no I/O): per board and chip, the tuner's base
 * frequency (default: board stock), a health cap (MHz or `disabled`), and a board-level
 * thermal/power scale. What a chip should run is
 *
 *   effective = floorToLadder(min(base, cap) x scale), never below the ladder's lowest step
 *
 * where the ladder is the chip family's PLL-legal frequencies (tuning/ladder.ts `pllLadder`,
 * built by the caller). Snapping is always DOWN (a throttle or cap must never raise a chip
 * above what was asked); a disabled chip runs the lowest step (its PLL at the floor: it draws
 * little, as the health action did before this plan existed).
 *
 * A plan is immutable: every `with*` returns a new plan, so `diff(prev, next)` can compare two.
 */
import { KabosuError } from '../core/errors';

/** A health cap: a MHz ceiling, `disabled` (PLL at the floor), or null (none). */
export type FrequencyCap = number | 'disabled' | null;

/** Scale bounds: thermal/power throttling never asks below half the frequency (thermal/policy minScale). */
export const MIN_SCALE = 0.5;
export const MAX_SCALE = 1;

export interface FrequencyPlanSpec {
  /** PLL-legal frequencies, ascending (at least one). */
  ladderMHz: readonly number[];
  /** Base frequency of every chip until the tuner sets one (board stock). */
  stockMHz: number;
  /** Chips per board (chain), one entry per board. */
  chipsPerBoard: readonly number[];
}

export interface BoardPlan {
  readonly baseMHz: readonly number[];
  readonly cap: readonly FrequencyCap[];
  readonly scale: number;
}

export interface FrequencyChange {
  board: number;
  chip: number;
  fromMHz: number;
  toMHz: number;
}

/** Index of the highest ladder step <= mhz (0 when below the ladder). Tolerates float noise. */
export function floorStep(ladder: readonly number[], mhz: number): number {
  if (!(mhz >= ladder[0]! - 1e-9)) return 0;
  let lo = 0;
  let hi = ladder.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ladder[mid]! <= mhz + 1e-9) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A value for an error message, whatever it is (a null-prototype object has no toString). */
function show(v: unknown): string {
  try {
    return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function badValue(what: string, value: unknown, hint: string, context: Record<string, unknown>): KabosuError {
  return new KabosuError('KBS_E_FREQ_BAD_VALUE', `${what}: ${show(value)} is not valid`, { hint, context });
}

export class FrequencyPlan {
  private constructor(
    readonly spec: FrequencyPlanSpec,
    private readonly boards: readonly BoardPlan[],
  ) {}

  /** Every chip at stock, no caps, scale 1. Throws KBS_E_FREQ_BAD_VALUE on an unusable spec. */
  static stock(spec: FrequencyPlanSpec): FrequencyPlan {
    const l = spec.ladderMHz;
    if (l.length === 0 || !l.every((f, i) => Number.isFinite(f) && f > 0 && (i === 0 || f > l[i - 1]!))) {
      throw badValue('frequency ladder', `[${l.slice(0, 5).join(', ')}${l.length > 5 ? ', ...' : ''}]`, 'the ladder must be PLL frequencies, ascending, at least one', {});
    }
    if (!(Number.isFinite(spec.stockMHz) && spec.stockMHz > 0)) throw badValue('stock frequency', spec.stockMHz, 'give the board stock frequency in MHz', {});
    if (!spec.chipsPerBoard.every((n) => Number.isInteger(n) && n >= 0 && n <= 4096)) throw badValue('chips per board', spec.chipsPerBoard.join(','), 'give whole chip counts', {});
    const spec2: FrequencyPlanSpec = { ladderMHz: [...l], stockMHz: spec.stockMHz, chipsPerBoard: [...spec.chipsPerBoard] };
    return new FrequencyPlan(
      spec2,
      spec2.chipsPerBoard.map((n) => ({ baseMHz: new Array<number>(n).fill(spec.stockMHz), cap: new Array<FrequencyCap>(n).fill(null), scale: 1 })),
    );
  }

  get boardCount(): number {
    return this.boards.length;
  }

  chipCount(board: number): number {
    return this.boardAt(board).baseMHz.length;
  }

  /** The lowest PLL step: the family minimum, and what a disabled chip runs. */
  get minMHz(): number {
    return this.spec.ladderMHz[0]!;
  }

  board(board: number): BoardPlan {
    return this.boardAt(board);
  }

  /** The tuner's base for one chip, or for every chip of the board (`'all'`). */
  withBase(board: number, chip: number | 'all', mhz: number): FrequencyPlan {
    const b = this.boardAt(board);
    if (!(Number.isFinite(mhz) && mhz > 0)) throw badValue('base frequency', mhz, 'give MHz > 0', { board, chip });
    const baseMHz = chip === 'all' ? b.baseMHz.map(() => mhz) : this.replaced(b.baseMHz, board, chip, mhz);
    return this.withBoard(board, { ...b, baseMHz });
  }

  /** Health's ceiling for one chip (MHz), `disabled`, or null to lift it. */
  withCap(board: number, chip: number, cap: FrequencyCap): FrequencyPlan {
    const b = this.boardAt(board);
    if (cap !== null && cap !== 'disabled' && !(typeof cap === 'number' && Number.isFinite(cap) && cap > 0)) {
      throw badValue('frequency cap', cap, "give MHz > 0, 'disabled' or null", { board, chip });
    }
    return this.withBoard(board, { ...b, cap: this.replaced(b.cap, board, chip, cap) });
  }

  /** The board's thermal/power scale, MIN_SCALE..MAX_SCALE. */
  withScale(board: number, scale: number): FrequencyPlan {
    const b = this.boardAt(board);
    if (!(Number.isFinite(scale) && scale >= MIN_SCALE && scale <= MAX_SCALE)) {
      throw new KabosuError('KBS_E_FREQ_BAD_SCALE', `frequency scale ${show(scale)} is outside ${MIN_SCALE}..${MAX_SCALE}`, { hint: 'throttle by at most half; power a board off instead', context: { board } });
    }
    return this.withBoard(board, { ...b, scale });
  }

  /** min(base, cap) before the scale: the frequency health reasons about (its own frame). */
  capped(board: number, chip: number): number {
    const b = this.boardAt(board);
    const base = b.baseMHz[this.chipIndex(board, chip)]!;
    const cap = b.cap[chip]!;
    if (cap === 'disabled') return this.minMHz;
    return cap === null ? base : Math.min(base, cap);
  }

  /** What the chip should run: min(base, cap) x scale, snapped down to the ladder, >= its floor. */
  effective(board: number, chip: number): number {
    const b = this.boardAt(board);
    if (b.cap[this.chipIndex(board, chip)] === 'disabled') return this.minMHz;
    const l = this.spec.ladderMHz;
    return l[floorStep(l, this.capped(board, chip) * b.scale)]!;
  }

  effectiveBoard(board: number): number[] {
    return Array.from({ length: this.chipCount(board) }, (_, c) => this.effective(board, c));
  }

  private boardAt(board: number): BoardPlan {
    const b = Number.isInteger(board) ? this.boards[board] : undefined;
    if (!b) throw new KabosuError('KBS_E_FREQ_BAD_CHIP', `no board ${show(board)} (the miner has ${this.boards.length})`, { context: { board } });
    return b;
  }

  private chipIndex(board: number, chip: number): number {
    const n = this.boards[board]!.baseMHz.length;
    if (!(Number.isInteger(chip) && chip >= 0 && chip < n)) throw new KabosuError('KBS_E_FREQ_BAD_CHIP', `board ${board} has no chip ${show(chip)} (it has ${n})`, { context: { board, chip } });
    return chip;
  }

  private replaced<T>(xs: readonly T[], board: number, chip: number, v: T): T[] {
    const out = [...xs];
    out[this.chipIndex(board, chip)] = v;
    return out;
  }

  private withBoard(board: number, next: BoardPlan): FrequencyPlan {
    const boards = [...this.boards];
    boards[board] = next;
    return new FrequencyPlan(this.spec, boards);
  }
}

/**
 * The chips whose effective frequency differs between two plans of the same miner, in board
 * then chip order: minimal (no unchanged chip) and complete (every changed chip).
 */
export function diff(prev: FrequencyPlan, next: FrequencyPlan): FrequencyChange[] {
  if (prev.boardCount !== next.boardCount) throw new KabosuError('KBS_E_FREQ_BAD_CHIP', `plans of different miners (${prev.boardCount} vs ${next.boardCount} boards)`);
  const out: FrequencyChange[] = [];
  for (let b = 0; b < next.boardCount; b++) out.push(...diffBoard(b, prev.effectiveBoard(b), next.effectiveBoard(b)));
  return out;
}

/** The chips of one board whose frequency must change to go from `fromMHz` to `toMHz` (per chip). */
export function diffBoard(board: number, fromMHz: readonly (number | undefined)[], toMHz: readonly number[]): FrequencyChange[] {
  const out: FrequencyChange[] = [];
  toMHz.forEach((to, chip) => {
    const from = fromMHz[chip];
    if (from === undefined || Math.abs(from - to) > 1e-9) out.push({ board, chip, fromMHz: from ?? Number.NaN, toMHz: to });
  });
  return out;
}
