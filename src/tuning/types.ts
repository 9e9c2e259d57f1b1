/**
 * The tuner's vocabulary: what it knows about the hardware (public board facts only, never the
 * simulator's hidden truth), what it measures, and what it asks for. Pure types.
 */

/** What the tuner optimises. */
export type TuningTarget =
  /** Lowest J/TH with at least this hashrate. */
  | { kind: 'efficiency'; minHashrateHps: number }
  /** Most hashrate within this wall power. */
  | { kind: 'power'; maxPowerW: number }
  /** Lowest power giving this hashrate (null: the most hashrate the boards sustain). */
  | { kind: 'hashrate'; hashrateHps: number | null };

/** Public facts about the boards (board definition + chip family PLL). */
export interface MinerSpec {
  boards: number;
  chipsPerBoard: number;
  /** Hashes per second per chip per MHz (cores x hashes/cycle x 1e6). */
  hpsPerMHz: number;
  /** Frequencies the PLL makes, ascending, within the board's min..max. */
  ladderMHz: number[];
  stockMHz: number;
  voltage: { stockV: number; minV: number; maxV: number; stepV: number };
  /** Board temperature above which the tuner sheds frequency. */
  hotC: number;
}

/** One chip's counts over one measurement window. */
export interface ChipCounts {
  nonces: number;
  hwErrors: number;
}

export interface BoardSample {
  chips: ChipCounts[];
  /** Hottest board (PCB) temperature reading, null if unknown. */
  boardC: number | null;
  /** Hashes one returned nonce stands for (ticket difficulty x 65536). */
  hashesPerNonce: number;
}

/** Everything measured over one window [nowMs - windowMs, nowMs] at the settings last asked for. */
export interface Measurement {
  nowMs: number;
  windowMs: number;
  boards: BoardSample[];
  /** Wall power (averaged over the window), null without a reading. */
  wallPowerW: number | null;
}

/** Where wall power comes from: PSU readback, an estimate, ... (swappable). */
export interface PowerReading {
  /** Wall power in W now (averaged by the source), or null when unknown. */
  wallPowerW(): Promise<number | null>;
}

/** The settings the tuner wants: per board voltage and per chip frequency. */
export interface Settings {
  voltageV: number[];
  freqMHz: number[][];
}

export type BoardPhase = 'characterize-high' | 'characterize-low' | 'planning' | 'settle' | 'validate' | 'tuned';
