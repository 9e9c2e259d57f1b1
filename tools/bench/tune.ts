/**
 * `kabosu bench tune [--json] [--smoke]`: for each board (L3+-like, L7-like), seed and target,
 * the tuner on the statistical rig (tuneRig.ts) against the simulator's oracle for the same
 * target and against stock settings: J/TH, hashrate, wall power, power-budget error and the
 * simulated time to converge. Targets: efficiency with the published hashrate as floor, power at
 * 80 % of the published wall power, and maximum hashrate.
 */
import { loadBoard } from '../../src/config/boardLoader';
import type { TuningTarget } from '../../src/tuning/types';
import { runScenario } from './tuneScenario';

export interface TuneBenchRow {
  board: string;
  seed: number;
  target: string;
  convergeMin: number | null;
  tunedJPerTH: number;
  oracleJPerTH: number;
  stockJPerTH: number;
  tunedMHs: number;
  oracleMHs: number;
  stockMHs: number;
  tunedW: number;
  oracleW: number;
  efficiencyVsOracle: number;
  hashrateVsOracle: number;
  improvementVsStock: number;
  powerErrorMax: number | null;
  realMs: number;
}

export function targetsFor(boardId: string): Array<{ name: string; target: TuningTarget }> {
  const b = loadBoard(boardId);
  return [
    { name: 'efficiency', target: { kind: 'efficiency', minHashrateHps: b.published.hashrateHps } },
    { name: 'power', target: { kind: 'power', maxPowerW: Math.round(b.published.wallPowerW * 0.8) } },
    { name: 'hashrate', target: { kind: 'hashrate', hashrateHps: null } },
  ];
}

export async function benchTune(o: { smoke: boolean }): Promise<{ table: string; result: { rows: TuneBenchRow[]; summary: Record<string, unknown> } }> {
  const boards = o.smoke ? ['l3plus'] : ['l3plus', 'l7'];
  const seeds = o.smoke ? [1] : [1, 2, 3];
  const rows: TuneBenchRow[] = [];
  for (const board of boards) {
    for (const { name, target } of o.smoke ? targetsFor(board).slice(0, 1) : targetsFor(board)) {
      for (const seed of seeds) {
        const t0 = Date.now();
        const r = runScenario({ board, seed, target, holdMinutes: o.smoke ? 2 : 10 });
        rows.push({
          board,
          seed,
          target: name,
          convergeMin: r.convergeMs === null ? null : r.convergeMs / 60_000,
          tunedJPerTH: r.tuned.joulesPerTH,
          oracleJPerTH: r.oracle.joulesPerTH,
          stockJPerTH: r.stock.joulesPerTH,
          tunedMHs: r.tuned.hashrateHps / 1e6,
          oracleMHs: r.oracle.hashrateHps / 1e6,
          stockMHs: r.stock.hashrateHps / 1e6,
          tunedW: r.tuned.wallPowerW,
          oracleW: r.oracle.wallPowerW,
          efficiencyVsOracle: r.efficiencyVsOracle,
          hashrateVsOracle: r.hashrateVsOracle,
          improvementVsStock: 1 - r.tuned.joulesPerTH / r.stock.joulesPerTH,
          powerErrorMax: r.powerErrorMax,
          realMs: Date.now() - t0,
        });
      }
    }
  }
  const lines = rows.map(
    (r) =>
      `${r.board.padEnd(7)} ${r.target.padEnd(10)} seed ${r.seed}  ${(r.tunedJPerTH / 1e6).toFixed(3)} J/MH (oracle ${(r.oracleJPerTH / 1e6).toFixed(3)}, x${r.efficiencyVsOracle.toFixed(3)}; stock ${(r.stockJPerTH / 1e6).toFixed(3)}, ${(r.improvementVsStock * 100).toFixed(1)}% better)  ` +
      `${r.tunedMHs.toFixed(0)} MH/s (oracle ${r.oracleMHs.toFixed(0)})  ${r.tunedW.toFixed(0)} W` +
      `${r.powerErrorMax === null ? '' : ` (budget error max ${(r.powerErrorMax * 100).toFixed(2)}%)`}  converged ${r.convergeMin === null ? 'NO' : r.convergeMin.toFixed(1) + ' min'}  [${r.realMs} ms real]`,
  );
  const l3 = rows.filter((r) => r.board === 'l3plus');
  const summary = {
    worstEfficiencyVsOracle: Math.max(...rows.map((r) => r.efficiencyVsOracle)),
    worstPowerErrorMax: Math.max(0, ...rows.filter((r) => r.powerErrorMax !== null).map((r) => r.powerErrorMax!)),
    slowestL3plusConvergeMin: Math.max(...l3.map((r) => r.convergeMin ?? Infinity)),
    efficiencyTargetImprovementVsStock: rows.filter((r) => r.target === 'efficiency').map((r) => ({ board: r.board, seed: r.seed, improvement: r.improvementVsStock, oracleImprovement: 1 - r.oracleJPerTH / r.stockJPerTH })),
    method: 'statistical rig: sim physics + Poisson nonce/HW-error counts at the pipeline ticket difficulty (tools/bench/tuneRig.ts)',
  };
  return { table: lines.join('\n') + '\n' + JSON.stringify(summary, null, 1) + '\n', result: { rows, summary } };
}
