/**
 * The statistical measurement layer the tuner is scored on (tests and `kabosu bench tune`):
 * the simulator's physics (src/sim/physics: seeded chips, voltage, thermal, fans, PSU) stepped
 * in virtual time, with per-chip nonce and HW-error COUNTS drawn from it (Poisson, at the
 * ticket difficulty the pipeline would use) instead of nonce-by-nonce chain emulation, so 20
 * simulated minutes of 288 chips take well under a second. The tuner sees only what firmware
 * sees through the hashboard interfaces (counts per chip, board temperature, wall power from
 * the PSU readback with 0.5 % noise); the oracle and the truth are for scoring only.
 * test/integration/tuningPipeline.test.ts runs the tuner through the real pipeline instead.
 */
import { loadBoard } from '../../src/config/boardLoader';
import type { BoardDefinition } from '../../src/config/boardSchema';
import { getChipFamily } from '../../src/chips';
import { chooseTicketDifficulty } from '../../src/hashboard/ticketMask';
import { HASHES_PER_DIFF1 } from '../../src/hashboard/hashrateMeter';
import { solveOracle } from '../../src/sim/oracle';
import type { OracleResult, OracleTarget } from '../../src/sim/oracle';
import { MinerPhysics } from '../../src/sim/physics/minerPhysics';
import { SeededRandom } from '../../src/sim/physics/random';
import { minerSpecFromBoard } from '../../src/tuning/spec';
import type { Measurement, MinerSpec, Settings } from '../../src/tuning/types';

export interface RigOptions {
  board: string | BoardDefinition;
  seed: number;
  ambientC?: number;
  /** Fan duty held by the rig (thermal control is not under test here). */
  fanDuty?: number;
  windowMs?: number;
  stepMs?: number;
  /** Minutes mined at stock before tuning starts (boards warm). */
  warmMinutes?: number;
  /** Share of the host's verification budget (nonces/s, whole miner) tuning may use. */
  cpuNoncesPerSec?: number;
}

export class TuneRig {
  readonly board: BoardDefinition;
  readonly physics: MinerPhysics;
  readonly spec: MinerSpec;
  readonly windowMs: number;
  private readonly stepMs: number;
  private readonly rng: SeededRandom;
  private readonly fanDuty: number;
  readonly hashesPerNonce: number[];
  freqs: number[][];
  nowMs = 0;
  private readonly codeOf: (v: number) => number;

  constructor(o: RigOptions) {
    this.board = typeof o.board === 'string' ? loadBoard(o.board) : o.board;
    const hb = this.board.hashBoard;
    const fam = getChipFamily(hb.chipFamily);
    this.spec = minerSpecFromBoard(this.board, fam);
    this.physics = new MinerPhysics(this.board, o.seed, o.ambientC ?? 25);
    this.rng = new SeededRandom(o.seed).fork('tune-rig');
    this.windowMs = o.windowMs ?? 5000;
    this.stepMs = o.stepMs ?? 1000;
    this.fanDuty = o.fanDuty ?? 1;
    for (const f of this.physics.fans) {
      f.setDuty(this.fanDuty);
      f.settle();
    }
    const reg = hb.regulator;
    this.codeOf = (v) => Math.max(0, Math.min(254, Math.round((v - reg.codeOffsetV) / reg.codeSlopeV)));
    const stock = fam.pllFor(hb.freqMHz.stock).freqMHz;
    this.freqs = Array.from({ length: hb.chains }, () => new Array<number>(hb.chipsPerChain).fill(stock));
    const cpu = o.cpuNoncesPerSec ?? 1000;
    this.hashesPerNonce = Array.from({ length: hb.chains }, () => {
      const t = chooseTicketDifficulty({
        expectedHps: this.board.published.hashrateHps / hb.chains,
        baud: hb.baud,
        replyBytes: fam.replyLength,
        cpuNoncesPerSec: cpu / hb.chains,
        targetNoncesPerSec: cpu / hb.chains,
        shareDifficulty: 65536,
        maxTicketDifficulty: 256,
      });
      return t.difficulty * HASHES_PER_DIFF1;
    });
    for (const c of this.physics.chains) {
      c.enabled = true;
      c.setpointV = this.voltageFor(hb.voltage.stockV);
      this.physics.refresh(c.index);
    }
    this.advance((o.warmMinutes ?? 10) * 60_000, false);
    this.nowMs = 0;
  }

  /** Regulator output for a requested voltage (whole codes, as the PIC makes it). */
  voltageFor(v: number): number {
    const reg = this.board.hashBoard.regulator;
    return reg.codeOffsetV + reg.codeSlopeV * this.codeOf(v);
  }

  apply(s: Settings): void {
    s.voltageV.forEach((v, b) => {
      const c = this.physics.chainAt(b);
      c.setpointV = this.voltageFor(v);
      this.physics.refresh(b);
    });
    this.freqs = s.freqMHz.map((row) => [...row]);
  }

  /** Chain reset: clears hung chips. */
  resetChain(b: number): void {
    for (const chip of this.physics.chainAt(b).chips) chip.clearHang();
  }

  /** One measurement window at the applied settings. */
  measure(): Measurement {
    const chains = this.physics.chains;
    const counts = chains.map((c) => c.chips.map(() => ({ nonces: 0, hwErrors: 0 })));
    const r = this.advance(this.windowMs, true, counts);
    const noise = 1 + 0.005 * this.rng.normal();
    return {
      nowMs: this.nowMs,
      windowMs: this.windowMs,
      wallPowerW: r.meanWallW * noise,
      boards: chains.map((c, b) => ({ chips: counts[b]!, boardC: round(c.thermal.temperatureC, 0.25), hashesPerNonce: this.hashesPerNonce[b]! })),
    };
  }

  private advance(ms: number, count: boolean, counts?: Array<Array<{ nonces: number; hwErrors: number }>>): { meanWallW: number } {
    let wall = 0;
    let steps = 0;
    for (let t = 0; t < ms; t += this.stepMs) {
      const dt = Math.min(this.stepMs, ms - t);
      this.physics.step(dt, (c, i) => this.freqs[c]![i]!);
      wall += this.physics.wallPowerW() * dt;
      steps += dt;
      if (count && counts) {
        this.physics.chains.forEach((c, b) => {
          if (!this.physics.powered(b)) return;
          c.chips.forEach((chip, i) => {
            const f = this.freqs[b]![i]!;
            if (!chip.responsive(f)) return;
            const lambda = (chip.hashrateHps(f) * dt) / 1000 / this.hashesPerNonce[b]!;
            const n = poisson(this.rng, lambda);
            if (n === 0) return;
            const p = chip.hwErrorProbability(f);
            const e = binomial(this.rng, n, p);
            counts[b]![i]!.nonces += n - e;
            counts[b]![i]!.hwErrors += e;
          });
        });
      }
      this.nowMs += dt;
    }
    return { meanWallW: steps > 0 ? wall / steps : this.physics.wallPowerW() };
  }

  /** Truth, for scoring: hashrate counted only for good nonces, as the oracle counts it. */
  truth(): { hashrateHps: number; wallPowerW: number; maxBoardC: number; worstHw: number; meanHw: number } {
    let h = 0;
    let worst = 0;
    let sumHw = 0;
    let n = 0;
    let maxC = -Infinity;
    this.physics.chains.forEach((c, b) => {
      maxC = Math.max(maxC, c.thermal.temperatureC);
      c.chips.forEach((chip, i) => {
        const f = this.freqs[b]![i]!;
        const p = chip.hwErrorProbability(f);
        if (chip.responsive(f)) h += chip.hashrateHps(f) * (1 - p);
        worst = Math.max(worst, p);
        sumHw += p;
        n++;
      });
    });
    return { hashrateHps: h, wallPowerW: this.physics.wallPowerW(), maxBoardC: maxC, worstHw: worst, meanHw: sumHw / n };
  }

  oracle(target: OracleTarget): OracleResult {
    const pll = getChipFamily(this.board.hashBoard.chipFamily);
    return solveOracle(this.board, this.physics.cal, this.physics.chains.map((c) => c.chips.map((x) => x.k)), target, {
      ambientC: this.physics.ambientC,
      fanDuty: this.fanDuty,
      achievableMHz: (m) => pll.pllFor(m).freqMHz,
    });
  }
}

function round(x: number, q: number): number {
  return Math.round(x / q) * q;
}

export function poisson(rng: SeededRandom, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rng.next();
    if (p <= l) return k;
    k++;
  }
}

function binomial(rng: SeededRandom, n: number, p: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return n;
  if (n * p < 20 && n < 200) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng.next() < p) k++;
    return k;
  }
  const m = n * p;
  return Math.max(0, Math.min(n, Math.round(m + Math.sqrt(m * (1 - p)) * rng.normal())));
}
