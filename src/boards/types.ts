import type { BoardDefinition } from '../config/boardSchema';
import type { MinerHal } from '../hal/types';
import type { SimMiner } from '../sim';

/** Where a worker thread can open the same hardware (a remote hal address), or why not (thermal's InterlockWorkerTarget). */
export type InterlockWorkerTarget = { hal: string } | { unavailable: string };

export type BoardsBackendName = 'sim' | 'sim-remote' | 'linux';

/** What every backend value says, whether or not it reached the hardware. */
interface BoardsCommon {
  readonly backend: BoardsBackendName;
  readonly model: string;
  /** The proof of work the chips answer with (scrypt-sim only with simulated chips). */
  readonly pow: 'scrypt' | 'scrypt-sim';
  /** True for the simulator (in this process or another): reported as such everywhere. */
  readonly simulated: boolean;
  /**
   * Simulated chips doing real scrypt hash at the host CPU's pace, not the board's: mining
   * expects that rate (the ticket rule then picks the chips' minimum ticket).
   */
  readonly hostPacedScrypt: boolean;
  /** Where the out-of-event-loop interlock (worker thread) can open the same hardware, or why not. */
  readonly interlockWorker: InterlockWorkerTarget;
  /** Releases everything the backend opened; idempotent. */
  close(): Promise<void>;
}

/** The hash boards, opened: the one owner of the miner's hardware. */
export interface OpenBoards extends BoardsCommon {
  readonly available: true;
  readonly board: BoardDefinition;
  readonly hal: MinerHal;
  /** The in-process simulator (its control API: truth, faults), backend 'sim' only. */
  readonly sim?: SimMiner;
}

/** The backend could not open the boards: the daemon runs without them and says why. */
export interface NoBoards extends BoardsCommon {
  readonly available: false;
  /** One line for status (`hashboards.note`). */
  readonly note: string;
  /** The open failure (the boards component reports it as its start error). */
  readonly error: Error;
}

export type HashBoards = OpenBoards | NoBoards;
