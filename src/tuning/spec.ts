/**
 * The tuner's view of a miner from public facts: the board definition (chip count, cores,
 * hashes per cycle, voltage range and regulator step, hot threshold) and the chip family's PLL.
 * Nothing here comes from the simulator's hidden per-chip truth.
 */
import type { BoardDefinition } from '../config/boardSchema';
import type { ChipFamily } from '../chips/types';
import { pllLadder } from './ladder';
import type { MinerSpec } from './types';

export function minerSpecFromBoard(board: BoardDefinition, family: Pick<ChipFamily, 'pllFor'>, o: { hotC?: number } = {}): MinerSpec {
  const hb = board.hashBoard;
  const reg = hb.regulator;
  // Voltages the regulator makes (codes 0..254) within the board's range: the grid the tuner walks.
  const made: number[] = [];
  for (let code = 0; code <= 254; code++) {
    const v = reg.codeOffsetV + reg.codeSlopeV * code;
    if (v >= hb.voltage.minV - 1e-9 && v <= hb.voltage.maxV + 1e-9) made.push(v);
  }
  const minV = made.length ? Math.min(...made) : hb.voltage.minV;
  const maxV = made.length ? Math.max(...made) : hb.voltage.maxV;
  return {
    boards: hb.chains,
    chipsPerBoard: hb.chipsPerChain,
    hpsPerMHz: hb.coresPerChip * hb.hashesPerCoreCycle * 1e6,
    ladderMHz: pllLadder(family.pllFor, hb.freqMHz.min, hb.freqMHz.max),
    stockMHz: hb.freqMHz.stock,
    voltage: { stockV: hb.voltage.stockV, minV, maxV, stepV: Math.abs(reg.codeSlopeV) },
    hotC: o.hotC ?? hb.thermal.hotC,
  };
}
