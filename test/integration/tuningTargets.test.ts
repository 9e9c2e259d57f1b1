/**
 * Every target on the L3+-like and L7-like boards, three seeds (chip spreads) each, on the
 * statistical rig (tools/bench/tuneRig.ts: sim physics in virtual time, Poisson nonce and
 * HW-error counts per chip). Scored against the simulator's oracle for the same target.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBoard } from '../../src/config/boardLoader';
import { targetsFor } from '../../tools/bench/tune';
import { runScenario } from '../../tools/bench/tuneScenario';

const seeds = (process.env.TUNING_SEEDS ?? '1,2,3').split(',').map(Number);

for (const board of ['l3plus', 'l7']) {
  const published = loadBoard(board).published;
  for (const { name, target } of targetsFor(board)) {
    test(`${board} ${name}: within 3% of the oracle's efficiency, converged in bounded time (seeds ${seeds.join(',')})`, () => {
      for (const seed of seeds) {
        const r = runScenario({ board, seed, target, holdMinutes: 6 });
        const ctx = `${board} ${name} seed ${seed}: tuned ${(r.tuned.joulesPerTH / 1e6).toFixed(4)} J/MH vs oracle ${(r.oracle.joulesPerTH / 1e6).toFixed(4)}`;
        assert.ok(r.converged, `${ctx}: not converged`);
        assert.ok(r.convergeMs! <= (board === 'l3plus' ? 20 : 30) * 60_000, `${ctx}: converged after ${r.convergeMs! / 60_000} min`);
        assert.ok(r.efficiencyVsOracle <= 1.03, ctx);
        assert.ok(r.tuned.worstHw < 0.05, `${ctx}: a chip at HW-error probability ${r.tuned.worstHw}`);
        assert.ok(r.tuned.maxBoardC <= loadBoard(board).hashBoard.thermal.hotC + 0.5, `${ctx}: board at ${r.tuned.maxBoardC} °C`);
        if (name === 'efficiency') {
          assert.ok(r.tuned.hashrateHps >= published.hashrateHps * 0.995, `${ctx}: hashrate ${r.tuned.hashrateHps} under the floor`);
          assert.ok(r.tuned.joulesPerTH < r.stock.joulesPerTH * 0.95, `${ctx}: not better than stock ${(r.stock.joulesPerTH / 1e6).toFixed(4)}`);
        }
        if (name === 'power') assert.ok(r.powerErrorMax! <= 0.02, `${ctx}: power off the budget by up to ${(r.powerErrorMax! * 100).toFixed(2)}%`);
        if (name === 'hashrate') assert.ok(r.hashrateVsOracle >= 0.97, `${ctx}: hashrate ${r.hashrateVsOracle} of the oracle's`);
      }
    });
  }
}

test('hashrate with a number: at least that hashrate, at less power than the most efficient setting that meets it', () => {
  for (const board of ['l3plus', 'l7']) {
    const pub = loadBoard(board).published;
    const want = pub.hashrateHps * 0.9;
    for (const seed of seeds) {
      const r = runScenario({ board, seed, target: { kind: 'hashrate', hashrateHps: want }, holdMinutes: 6 });
      const ctx = `${board} seed ${seed}: ${(r.tuned.hashrateHps / 1e6).toFixed(1)} MH/s at ${r.tuned.wallPowerW.toFixed(0)} W`;
      assert.ok(r.converged, ctx);
      assert.ok(r.tuned.hashrateHps >= want * 0.995, `${ctx}: under ${want / 1e6} MH/s`);
      assert.ok(r.tuned.hashrateHps <= want * 1.06, `${ctx}: far over what was asked`);
      assert.ok(r.tuned.wallPowerW <= r.oracle.wallPowerW * 1.01, `${ctx}: more power than the oracle's efficiency optimum (${r.oracle.wallPowerW.toFixed(0)} W)`);
      assert.ok(r.efficiencyVsOracle <= 1.03, ctx);
    }
  }
});

test.run();
