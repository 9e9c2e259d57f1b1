/**
 * The miner's one FrequencyOwner (src/hashboard/frequencyOwner.ts), wired to the mining
 * pipeline: its plan spans the board model's chains and chips, its ladder is the chip family's
 * PLL-legal steps within the board's range (tuning/ladder.ts), and it writes to a chain only
 * while that chain is up. Tuning (base), health (caps) and thermal (scale) all go through it.
 * Built on first use, once the board definition is known.
 */
import type { Logger } from 'pino';
import { getChipFamily } from '../chips';
import type { BoardDefinition } from '../config/boardSchema';
import type { DaemonEvent } from '../core/minerApi';
import type { Clock } from '../hal/types';
import { FrequencyOwner, type FrequencyChain } from '../hashboard/frequencyOwner';
import type { FrequencyPlanSpec } from '../hashboard/frequencyPlan';
import { pllLadder } from '../tuning/ladder';

export function frequencySpecFor(board: BoardDefinition): FrequencyPlanSpec {
  const hb = board.hashBoard;
  return {
    ladderMHz: pllLadder(getChipFamily(hb.chipFamily).pllFor, hb.freqMHz.min, hb.freqMHz.max),
    stockMHz: hb.freqMHz.stock,
    chipsPerBoard: Array.from({ length: hb.chains }, () => hb.chipsPerChain),
  };
}

/** What the owner needs of the mining pipeline (MiningComponent fits; its core changes on restart). */
export interface FrequencyMining {
  readonly core?: { readonly chains: ReadonlyArray<{ ready: boolean }>; readonly plans: ReadonlyArray<{ chain: FrequencyChain }> };
  readonly board?: BoardDefinition;
}

export function frequencyOwnerFor(o: { mining: FrequencyMining; clock: Clock; log: Logger; raise?(e: DaemonEvent): void }): () => FrequencyOwner | undefined {
  let owner: FrequencyOwner | undefined;
  return () => {
    if (owner) return owner;
    const board = o.mining.board;
    if (!board) return undefined;
    owner = new FrequencyOwner({
      spec: frequencySpecFor(board),
      chain: (b) => {
        const core = o.mining.core;
        return core?.chains[b]?.ready ? core.plans[b]?.chain : undefined;
      },
      clock: o.clock,
      log: o.log,
    });
    const raise = o.raise;
    if (raise) {
      owner.events.on('failed', (e) => raise({ at_ms: e.atMs, severity: 'warning', source: 'frequencies', kind: 'freq_apply_failed', message: `board ${e.board}: chip frequencies not applied (${e.error})`, data: { board: e.board, ...(e.code ? { code: e.code } : {}) } }));
    }
    return owner;
  };
}
