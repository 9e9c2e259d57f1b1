import { monitoredChains } from '../../src/health/monitoredChains';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../../src/hal/clock';
import { createSimMiner, type SimMiner } from '../../src/sim';
import { parseFaultSpec } from '../../src/sim/faults/faultSpec';
import { getChipFamily } from '../../src/chips';
import { Chain } from '../../src/chips/chainDriver';
import { PicOldRegulator } from '../../src/power/picOld';
import { BoardPower } from '../../src/power/boardPower';
import { loadEnergy } from '../../src/power/energyStore';
import { MinerCore, type MinerWork } from '../../src/hashboard/minerCore';
import { bm1485RefreshMs } from '../../src/hashboard/workScheduler';
import { getAlgorithm } from '../../src/pow';
import { HealthComponent } from '../../src/health/healthComponent';
import { defaultHealthConfig } from '../../src/health/healthSettings';
import { frequencyOwnerFor, healthFrequencyPorts } from '../../src/app/frequencies';
import type { FrequencyOwner } from '../../src/hashboard/frequencyOwner';
import type { DaemonEvent } from '../../src/core/minerApi';
import { SyntheticWork } from '../helpers/syntheticWork';

/**
 * The health component on a mining simulated L3+ (chain 0 mining, real clock, ~8 nonces/s per
 * chip so the statistics decide in seconds): each injected fault is detected, acted on, and
 * reported as a DaemonEvent.
 */
const log = pino({ level: process.env.KABOSU_TEST_LOG ?? 'silent' });
const SEED = Number(process.env.SIM_SEED ?? 21);


interface Rig {
  sim: SimMiner;
  core: MinerCore<MinerWork>;
  power: BoardPower;
  health: HealthComponent;
  events: DaemonEvent[];
  dir: string;
  frequencies: () => FrequencyOwner | undefined;
  stop(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const clock = new RealClock();
  const sim = createSimMiner({ boardId: 'l3plus', seed: SEED, clock, pow: 'scrypt-sim', logger: log });
  sim.start();
  const b = sim.board;
  const hb = b.hashBoard;
  const reg = hb.regulator;
  const power = new BoardPower(
    Array.from({ length: hb.chains }, (_, c) => new PicOldRegulator({ bus: sim.hal.i2c[reg.bus], address: reg.addresses[c], chain: c, clock, log, codeOffsetV: reg.codeOffsetV, codeSlopeV: reg.codeSlopeV })),
    { clock, log },
  );
  await power.setVoltage(0, hb.voltage.stockV);
  await power.enable(0, 'test');
  const family = getChipFamily(hb.chipFamily);
  const core = new MinerCore<MinerWork>({
    clock,
    log,
    plans: [
      {
        chain: new Chain({ family, uart: sim.hal.uarts[0], clock, log, expectedChips: hb.chipsPerChain, chain: 0, reset: sim.hal.gpio.reset[0] }),
        expectedChips: hb.chipsPerChain,
        freqMHz: hb.freqMHz.stock,
        expectedHps: b.published.hashrateHps / hb.chains,
        refreshMs: bm1485RefreshMs(hb.freqMHz.stock, Math.floor(256 / hb.chipsPerChain)),
      },
    ],
    source: new SyntheticWork(),
    verify: (h, t) => getAlgorithm('scrypt-sim').verify(h, t),
    onNonce: () => undefined,
    targetNoncesPerSec: 600,
    cpuNoncesPerSec: 3000,
  });
  await core.start();
  assert.ok(core.chains[0].ready, 'chain 0 mining');
  const events: DaemonEvent[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'kbs-health-'));
  const defaults = defaultHealthConfig();
  // Frequencies go through the daemon's one owner, wired to health as the daemon wires it.
  const frequencies = frequencyOwnerFor({ mining: { core, board: b }, clock, log });
  const freq = healthFrequencyPorts(frequencies, () => core);
  const health = new HealthComponent({
    clock,
    log,
    dataDir: dir,
    // Faster than a config may ask (the statistics decide in seconds here); the test calls hardwareTick itself.
    config: { ...defaults, intervalMs: 500, deadGraceMs: 3000, hardware: { ...defaults.hardware, intervalMs: 60_000 } },
    ports: {
      chains: () => freq.view(monitoredChains(core, clock.now())),
      actions: {
        reinitChain: freq.reinitChain,
        setChipFreq: freq.setChipFreq,
        disableChip: freq.disableChip,
        powerOffBoard: (bd, reason) => power.disable(bd, reason, { lock: true }),
      },
      hardware: () => ({ hal: sim.hal, board: b, simulated: true }),
      power: () => power,
      chainFreqMHz: (c) => (core.chains[c]?.ready ? core.plans[c].freqMHz : null),
      raise: (e) => events.push(e),
    },
  });
  await health.start();
  return {
    sim,
    core,
    power,
    health,
    events,
    dir,
    frequencies,
    async stop() {
      await health.stop();
      await core.stop();
      await power.disableAll('test end');
      await sim.stop();
    },
  };
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.unreachable(`seed ${SEED}: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let r: Rig;

test.before(async () => {
  r = await rig();
});
test.after(async () => {
  await r.stop();
  rmSync(r.dir, { recursive: true, force: true });
});

test('healthy chips are judged ok, none dead or degraded', async () => {
  await until('chips judged', () => r.health.monitor.chipState(0, 0) === 'ok', 10_000);
  await new Promise((res) => setTimeout(res, 3000));
  const states = Array.from({ length: 72 }, (_, i) => r.health.monitor.chipState(0, i));
  assert.equal(states.filter((s) => s !== 'ok'), [], JSON.stringify(r.events.map((e) => e.message)));
});

test('dead chip: detected (chip_dead event), disabled (health_action), reported as disabled', async () => {
  r.sim.control.inject(parseFaultSpec({ fault: 'chip-dead', target: { chain: 0, chip: 10 } }));
  await until('chip 10 disabled', () => r.health.monitor.chipState(0, 10) === 'disabled', 30_000);
  await r.health.monitor.settled();
  assert.ok(r.events.some((e) => e.kind === 'chip_dead' && e.data?.chip === 10));
  const act = r.events.find((e) => e.kind === 'health_action' && e.data?.action === 'disable_chip');
  assert.ok(act, 'disable action reported');
  assert.is(act!.data?.chip, 10);
  assert.is(r.core.plans[0].chain.freqMHz[10], 100, 'its PLL is at the floor');
  assert.is(r.frequencies()!.plan.board(0).cap[10], 'disabled', 'capped disabled in the frequency plan');
  assert.is(r.events.filter((e) => e.kind === 'chip_dead').length, 1, 'only that chip');
});

test('silent chip (answers, no nonces) is found dead the same way', async () => {
  r.sim.control.inject(parseFaultSpec({ fault: 'chip-silent', target: { chain: 0, chip: 30 } }));
  await until('chip 30 disabled', () => r.health.monitor.chipState(0, 30) === 'disabled', 30_000);
  assert.ok(r.events.some((e) => e.kind === 'chip_dead' && e.data?.chip === 30));
});

test('HW errors: the chip is degraded and its frequency lowered one step', async () => {
  r.sim.control.inject(parseFaultSpec({ fault: 'chip-hw-errors', target: { chain: 0, chip: 40 }, params: { probability: 0.5 } }));
  await until('chip 40 lowered', () => r.events.some((e) => e.kind === 'health_action' && e.data?.action === 'lower_chip_freq' && e.data?.chip === 40), 40_000);
  await r.health.monitor.settled();
  assert.ok(r.events.some((e) => e.kind === 'chip_degraded' && e.data?.chip === 40 && e.data?.reason === 'hw_errors'));
  assert.ok(r.core.plans[0].chain.freqMHz[40] < 384, `freq ${r.core.plans[0].chain.freqMHz[40]}`);
  // Through the frequency owner: a health cap one step below, the chip at the PLL step under it.
  const plan = r.frequencies()!.plan;
  assert.ok(plan.board(0).cap[40] === 359 || plan.board(0).cap[40] === 'disabled', String(plan.board(0).cap[40]));
  assert.is(r.core.plans[0].chain.freqMHz[40], plan.effective(0, 40));
});

test('UART noise: damaged reply frames degrade the chain (crc_errors) and raise chain_degraded', async () => {
  const f = r.sim.control.inject(parseFaultSpec({ fault: 'uart-noise', target: { chain: 0 }, params: { bit_flip_prob: 0.005 } }));
  await until('crc_errors', () => r.events.some((e) => e.kind === 'chain_degraded' && (e.data?.problems as string[]).includes('crc_errors')), 20_000);
  assert.ok(r.health.monitor.chainProblems(0).some((p) => p.includes('CRC')));
  r.sim.control.clear(f.id);
});

test('hardware: sensor missing, fan seized, PSU sag raise hw_fault events; clearing raises hw_fault_cleared; power and energy are reported', async () => {
  let faults = await r.health.hardwareTick();
  assert.equal(faults, [], JSON.stringify(faults));
  const p = r.health.power()!;
  assert.ok(p.boards[0].enabled && p.boards[0].watts! > 50, JSON.stringify(p));
  assert.ok(p.measured && p.wall_w! > 0);
  // Board power (regulator input, PSU-calibrated model) against the simulator's true chip power.
  const truthW = (r.sim.control.state().chains[0].powerW) / r.sim.board.hashBoard.regulator.efficiency;
  const errPct = ((p.boards[0].watts! - truthW) / truthW) * 100;
  if (process.env.KABOSU_PRINT_POWER) console.log(`board 0: estimate ${p.boards[0].watts!.toFixed(1)} W, truth ${truthW.toFixed(1)} W, error ${errPct.toFixed(1)} %`);
  assert.ok(Math.abs(errPct) < 10, `seed ${SEED}: power estimate off by ${errPct.toFixed(1)} %`);
  const ids = [
    r.sim.control.inject(parseFaultSpec({ fault: 'sensor-absent', target: { chain: 0, sensor: 1 } })).id,
    r.sim.control.inject(parseFaultSpec({ fault: 'fan-seized', target: { fan: 0 } })).id,
    r.sim.control.inject(parseFaultSpec({ fault: 'psu-sag', target: {}, params: { scale: 0.9 } })).id,
  ];
  await new Promise((res) => setTimeout(res, 3500)); // the fan spins down, the tach gate closes
  faults = await r.health.hardwareTick();
  const kinds = r.events.filter((e) => e.kind === 'hw_fault').map((e) => e.data?.fault).sort();
  assert.equal(kinds, ['fan_stalled', 'psu_sag', 'sensor_missing']);
  for (const id of ids) r.sim.control.clear(id);
  await new Promise((res) => setTimeout(res, 4000));
  await r.health.hardwareTick();
  assert.is(r.events.filter((e) => e.kind === 'hw_fault_cleared').length, 3);
  assert.ok(r.health.power()!.energy_kwh > 0);
});

test('a chain that cannot be brought back: re-inits within budget, then the board is powered off; an operator brings it back', async () => {
  // Power lost on the board: its chips go quiet; the re-init then finds the chain incomplete
  // (chip 10 is still dead from above), so the chain stays down, powered but not mining.
  const fault = r.sim.control.inject(parseFaultSpec({ fault: 'regulator-fault', target: { chain: 0 }, params: { mode: 'output-off' } }));
  await until('board 0 off', () => !r.power.isEnabled(0), 90_000).catch((e) => {
    console.log(r.events.slice(-15).map((x) => `${x.kind} ${x.message}`).join('\n'), r.core.chains[0]);
    throw e;
  });
  await r.health.monitor.settled();
  const actions = r.events.filter((e) => e.kind === 'health_action').map((e) => e.data?.action);
  assert.ok(actions.includes('reinit_chain'), actions.join());
  assert.is(actions.filter((a) => a === 'power_off_board').length, 1);
  assert.ok(r.events.some((e) => e.kind === 'chain_failed' && e.severity === 'critical'));
  assert.ok(r.power.lockReason(0)?.includes('health'));
  r.sim.control.clear(fault.id);
  r.sim.control.clearAll();
  r.health.monitor.policy.resetBoard(0);
  r.power.unlock(0);
  await r.power.enable(0, 'operator');
  assert.ok(await r.core.reinitChain(0), 'back up once the faults are gone');
});

test('regulator no answer: hw_fault, the board is powered off and locked; energy persists on stop', async () => {
  r.sim.control.inject(parseFaultSpec({ fault: 'regulator-fault', target: { chain: 0 }, params: { mode: 'no-answer' } }));
  await r.health.hardwareTick();
  await r.health.monitor.settled();
  assert.ok(r.events.some((e) => e.kind === 'hw_fault' && e.data?.fault === 'regulator_no_answer'));
  const off = r.events.find((e) => e.kind === 'health_action' && e.data?.action === 'power_off_board');
  assert.ok(off);
  assert.is(off!.severity, 'critical');
  assert.is(r.power.isEnabled(0), false);
  assert.ok(r.power.lockReason(0)?.includes('health'));
  const kwh = r.health.power()!.energy_kwh;
  await r.health.stop();
  assert.ok(Math.abs(loadEnergy(join(r.dir, 'energy.json')).kwh - kwh) < 1e-12);
});

test.run();
