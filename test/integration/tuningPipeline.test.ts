/**
 * The tuner end to end through the real pipeline: the simulated L3+ chains (UART protocol, PLL
 * registers, nonces), the PIC over I2C, MinerCore verifying every nonce (scrypt-sim) and counting
 * per chip in MiningStats, the PSU's PMBus readback; the TuningDriver applies per-chip PLL
 * settings through Chain.setFrequency and voltages through BoardPower. A small board (2 chains x
 * 8 chips, same per-chip physics as the L3+) keeps the test short; time is virtual.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim';
import { calibrate } from '../../src/sim/physics/calibration';
import { loadBoard } from '../../src/config/boardLoader';
import type { BoardDefinition } from '../../src/config/boardSchema';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { PicOldRegulator } from '../../src/power/picOld';
import { BoardPower } from '../../src/power/boardPower';
import { MinerCore, ticketWeight, type MinerWork } from '../../src/hashboard/minerCore';
import { bm1485RefreshMs } from '../../src/hashboard/workScheduler';
import { getAlgorithm } from '../../src/pow';
import { Autotuner } from '../../src/tuning/autotuner';
import { TuningDriver } from '../../src/tuning/driver';
import { PmbusPowerReading } from '../../src/tuning/powerReading';
import { minerSpecFromBoard } from '../../src/tuning/spec';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonControl } from '../../src/app/control';
import { devConfig } from '../../src/app/devConfig';
import type { MiningComponent } from '../../src/app/mining';
import { PROFILE_FILE, REPORT_FILE, TuningComponent } from '../../src/app/tuning';
import { frequencyOwnerFor } from '../../src/app/frequencies';
import { validateConfigData } from '../../src/config';
import type { DaemonStatus } from '../../src/core/minerApi';
import { ProfileStore } from '../../src/tuning/profile';
import { rejectsWith } from '../helpers/rejects';
import { SyntheticWork } from '../helpers/syntheticWork';
import { simBoardsOf } from '../../src/boards/sim';

const log = pino({ level: process.env.KABOSU_TEST_LOG ?? 'silent' });


/** The L3+ cut to 2 chains x 8 chips with the same per-chip power, so its physics per chip match. */
function smallL3(): BoardDefinition {
  const full = loadBoard('l3plus');
  const cal = calibrate(full);
  const chains = 2;
  const chips = 8;
  const hb = { ...full.hashBoard, chains, chipsPerChain: chips, regulator: { ...full.hashBoard.regulator, addresses: full.hashBoard.regulator.addresses.slice(0, chains) } };
  const wall = ((cal.stockChipPowerW * chains * chips) / full.hashBoard.regulator.efficiency + cal.designFansW + full.sim.controllerW) / full.psu.efficiency;
  return {
    ...full,
    id: 'l3plus-small',
    hashBoard: hb,
    published: { ...full.published, hashrateHps: (full.published.hashrateHps * chains * chips) / (full.hashBoard.chains * full.hashBoard.chipsPerChain), wallPowerW: wall },
    sim: { ...full.sim, weakChipsPerChain: 1 },
  };
}

/**
 * Advances virtual time in 20 ms steps, giving the host a moment of real time per step so
 * nonce verification (native scrypt off the event loop) keeps up with the simulated chips.
 */
async function runUntil(clock: VirtualClock, done: () => boolean, maxMs: number): Promise<void> {
  const end = clock.now() + maxMs;
  let k = 0;
  while (!done() && clock.now() < end) {
    clock.advance(20);
    if (++k % 4 === 0) await new Promise((r) => setTimeout(r, 1));
    else await new Promise((r) => setImmediate(r));
  }
}

async function bringUp() {
  const clock = new VirtualClock();
  const board = smallL3();
  const sim = createSimMiner({ board, seed: 3, clock, pow: 'scrypt-sim', ambientC: 25 });
  sim.start();
  for (const p of sim.hal.fans.pwm) p.setDuty(1);
  const hb = board.hashBoard;
  const reg = hb.regulator;
  const regulators = Array.from({ length: hb.chains }, (_, c) => new PicOldRegulator({ bus: sim.hal.i2c[reg.bus]!, address: reg.addresses[c]!, chain: c, clock, log, codeOffsetV: reg.codeOffsetV, codeSlopeV: reg.codeSlopeV }));
  const power = new BoardPower(regulators, { clock, log });
  const family = getChipFamily(hb.chipFamily);
  const plans = sim.hal.uarts.map((uart, c) => ({
    chain: new Chain({ family, uart, clock, log, expectedChips: hb.chipsPerChain, chain: c, reset: sim.hal.gpio.reset[c] }),
    expectedChips: hb.chipsPerChain,
    freqMHz: hb.freqMHz.stock,
    expectedHps: board.published.hashrateHps / hb.chains,
    refreshMs: bm1485RefreshMs(hb.freqMHz.stock, Math.floor(256 / hb.chipsPerChain)),
  }));
  const pow = getAlgorithm('scrypt-sim');
  // A lower nonce rate than the default keeps verification (real scrypt) up with virtual time.
  const core = new MinerCore<MinerWork>({ clock, log, plans, source: new SyntheticWork(), verify: (h, t) => pow.verify(h, t), onNonce: () => undefined, targetNoncesPerSec: 25 });
  const boot = (async () => {
    for (let c = 0; c < hb.chains; c++) {
      await power.setVoltage(c, hb.voltage.stockV);
      await power.enable(c, 'test');
    }
    await core.start();
  })();
  let booted = false;
  void boot.then(() => (booted = true));
  await runUntil(clock, () => booted, 120_000);
  assert.ok(booted, 'pipeline up');
  assert.equal(core.chains.map((c) => c.chipsFound), [8, 8]);
  // Warm the boards at stock, as a miner does before tuning starts.
  await runUntil(clock, () => false, 5 * 60_000);

  return { clock, board, sim, hb, power, family, plans, core };
}

test('the tuner converges through MinerCore and the simulated chains; what it set is what the chips run', async () => {
  const { clock, board, sim, hb, power, family, plans, core } = await bringUp();
  const spec = minerSpecFromBoard(board, family);
  const tuner = new Autotuner(spec, { kind: 'efficiency', minHashrateHps: board.published.hashrateHps }, clock.now(), [], { phaseCapMs: 4 * 60_000 });
  const tel = board.psu.telemetry!;
  const driver = new TuningDriver({
    tuner,
    clock,
    log,
    windowMs: 5000,
    power: new PmbusPowerReading(sim.hal.i2c[tel.bus]!, tel.address),
    hw: {
      boards: hb.chains,
      setVoltage: (b, v) => power.setVoltage(b, v),
      setChipFrequency: (b, c, mhz) => plans[b]!.chain.setFrequency(mhz, { chip: c, stepMHz: 50, stepMs: 10 }),
      chipCounts: (b) => core.stats.chipSnapshots(b, clock.now()).map((s) => ({ nonces: s.nonces, hwErrors: s.hwErrors })),
      boardTempC: () => null,
      hashesPerNonce: (b) => ticketWeight(core.chains[b]!.ticket!.difficulty),
    },
  });
  const started = clock.now();
  let up = false;
  void driver.start().then(() => (up = true));
  await runUntil(clock, () => up, 60_000);
  await runUntil(clock, () => tuner.converged, 20 * 60_000);
  assert.ok(tuner.converged, `converged (phases ${tuner.boards.map((b) => b.phase).join(',')})`);
  const convergeMin = (clock.now() - started) / 60_000;
  // Hold a few minutes, then compare with the truth.
  await runUntil(clock, () => false, 3 * 60_000);
  const st = sim.state();
  const s = tuner.settings();
  st.chains.forEach((ch, b) => {
    assert.ok(Math.abs(ch.regulator.setpointV - s.voltageV[b]!) < 0.007, `board ${b}: PIC at ${ch.regulator.setpointV} V, tuner asked ${s.voltageV[b]}`);
    ch.chips.forEach((chip, i) => assert.ok(Math.abs(chip.freqMHz - s.freqMHz[b]![i]!) < 1e-6, `board ${b} chip ${i}: runs ${chip.freqMHz}, tuner asked ${s.freqMHz[b]![i]}`));
    for (const chip of ch.chips) assert.ok(chip.hwErrorProbability < 0.05, `chip ${chip.index}: HW ${chip.hwErrorProbability}`);
  });
  const or = sim.oracle({ kind: 'efficiency', minHashrateHps: board.published.hashrateHps }, { fanDuty: 1 });
  const eff = st.wallPowerW / st.hashrateHps / (or.wallPowerW / or.hashrateHps);
  assert.ok(st.hashrateHps >= board.published.hashrateHps * 0.98, `hashrate ${st.hashrateHps} under the floor`);
  assert.ok(eff <= 1.05, `J/MH x${eff.toFixed(3)} of the oracle's (converged in ${convergeMin.toFixed(1)} min)`);
  assert.ok(driver.windows > 20);
  driver.stop();
  await core.stop();
  await power.disableAll('test end');
  await sim.stop();
  console.log(`pipeline tuning: converged in ${convergeMin.toFixed(1)} simulated min; J/MH x${eff.toFixed(3)} of the oracle`);
});

test('through the daemon TuningComponent: converges, saves profiles and the report, answers tuningReport()', async () => {
  const { clock, board, sim, core, power } = await bringUp();
  const dataDir = mkdtempSync(join(tmpdir(), 'kabosu-tunpipe-'));
  try {
    const cfg = validateConfigData({ ...devConfig(), tuning: { target: 'efficiency', hashrateFloor: board.published.hashrateHps / 1e6 } }, 'test').config;
    const control = new DaemonControl({ status: () => ({}) as DaemonStatus, config: () => cfg });
    const mining = { core, power } as unknown as MiningComponent;
    const events: string[] = [];
    control.events.on('event', (e) => events.push(e.kind));
    const frequencies = frequencyOwnerFor({ mining: { core, board }, clock, log });
    const tuning = new TuningComponent({ config: cfg, clock, log, dataDir, control, mining, boards: simBoardsOf(sim, 'scrypt-sim'), frequencies });
    let started = false;
    void tuning.start().then(() => (started = true));
    await runUntil(clock, () => started, 60_000);
    assert.is(tuning.status().state, 'tuning');
    await runUntil(clock, () => tuning.tuner?.converged === true, 25 * 60_000);
    await runUntil(clock, () => false, 10_000);
    assert.ok(tuning.tuner!.converged);
    assert.ok(['tuned', 'throttled'].includes(tuning.status().state));
    assert.ok(events.includes('tuning_converged'), events.join(','));
    const saved = new ProfileStore(join(dataDir, PROFILE_FILE)).load();
    assert.ok(saved && saved.boards.length === 2 && saved.model === board.id);
    assert.ok(existsSync(join(dataDir, REPORT_FILE)));
    const rep = (await control.tuningReport()) as { boards: unknown[] };
    assert.is(rep.boards.length, 2);
    await rejectsWith(control.setPowerTarget(5), 'KBS_E_TUNING_TARGET');
    assert.match(await control.setPowerTarget(60), /power \(60 W\)/);
    assert.is(tuning.status().target, 'power (60 W)');
    await tuning.stop();
  } finally {
    await core.stop();
    await power.disableAll('test end');
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();

