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
import type { MinerActions, MonitoredChain } from '../health/healthMonitor';
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

/** A chain re-init through the frequency owner (alone on the chain, then the plan re-applied). */
export function reinitThrough(owner: FrequencyOwner | undefined, board: number, task: () => Promise<boolean>): Promise<boolean> {
  return owner ? owner.reinit(board, task) : task();
}

/**
 * Health's view of chip frequencies and its frequency actions, through the owner. Health reasons
 * in its own frame, min(tuner base, its cap), before any thermal scale: so "lower 25 MHz" lowers
 * its cap by 25 MHz, not the throttled frequency once more. A disabled chip is capped `disabled`.
 */
export function healthFrequencyPorts(
  frequencies: () => FrequencyOwner | undefined,
  core: () => { reinitChain(chain: number): Promise<boolean> } | undefined,
): { view(chains: MonitoredChain[]): MonitoredChain[] } & Pick<MinerActions, 'reinitChain' | 'setChipFreq' | 'disableChip'> {
  return {
    view: (chains) => {
      const plan = frequencies()?.plan;
      if (!plan) return chains;
      return chains.map((c) => (c.index < plan.boardCount ? { ...c, chipFreqMHz: c.chipFreqMHz.map((f, chip) => (chip < plan.chipCount(c.index) ? plan.capped(c.index, chip) : f)) } : c));
    },
    reinitChain: async (k) => {
      const c = core();
      return c ? reinitThrough(frequencies(), k, () => c.reinitChain(k)) : false;
    },
    setChipFreq: async (k, chip, mhz) => {
      await frequencies()?.setCap(k, chip, mhz);
    },
    disableChip: async (k, chip) => {
      // Its PLL to the floor: it draws little and its (absent) nonces no longer count.
      await frequencies()?.setCap(k, chip, 'disabled');
    },
  };
}
