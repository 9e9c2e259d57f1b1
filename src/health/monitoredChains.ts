import type { MinerCore, MinerWork } from '../hashboard/minerCore';
import type { MonitoredChain } from './healthMonitor';

/**
 * The health monitor's view of a running MinerCore: per chain, readiness, chips found vs
 * expected, frame counters, per-chip frequencies and nonce/HW-error totals. Pure read of the
 * core's state at `nowMs`; `workFlowing` is false while no pool work reaches the chips.
 */
export function monitoredChains<W extends MinerWork>(core: MinerCore<W>, nowMs: number, workFlowing?: boolean): MonitoredChain[] {
  return core.chains.map((rt, k) => {
    const plan = core.plans[k];
    const n = plan.chain.counts;
    return {
      index: k,
      ready: rt.ready,
      ...(workFlowing !== undefined ? { workFlowing } : {}),
      chipsFound: rt.ready || rt.error !== undefined ? rt.chipsFound : null,
      expectedChips: plan.expectedChips,
      expectedHps: plan.expectedHps,
      ticketDifficulty: rt.ticket?.difficulty ?? null,
      frames: n.frames,
      badFrames: n.badCrc + n.badHeader + n.shortFrames,
      chipFreqMHz: plan.chain.freqMHz,
      chips: core.stats.chipCounts(k),
      ...(rt.error !== undefined ? { error: rt.error } : {}),
    };
  });
}

/**
 * A board that is powered off (by the interlock, a health action, a pause) has no work reaching
 * its chips: its chain is marked `workFlowing: false`, so health neither judges its silent chips
 * dead nor asks to re-init or power off a board that is already off.
 */
export function withBoardPower(chains: MonitoredChain[], isEnabled: ((board: number) => boolean) | undefined): MonitoredChain[] {
  if (!isEnabled) return chains;
  return chains.map((c) => (isEnabled(c.index) ? c : { ...c, workFlowing: false }));
}
