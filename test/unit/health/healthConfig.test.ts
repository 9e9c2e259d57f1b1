import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/hal/clock';
import { validateConfigText } from '../../../src/config/validate';
import type { KabosuConfig } from '../../../src/config/schema';
import { HealthComponent } from '../../../src/health/healthComponent';
import { defaultHealthConfig, healthSettings } from '../../../src/health/healthSettings';
import { DEFAULT_CHIP_HEALTH } from '../../../src/health/chipHealth';
import { DEFAULT_CHAIN_HEALTH } from '../../../src/health/chainHealth';
import type { MonitoredChain } from '../../../src/health/healthMonitor';
import type { DaemonEvent } from '../../../src/core/minerApi';

/**
 * The config's `health` section through the public path: config text -> validated config ->
 * HealthComponent (its own timers on a virtual clock) -> decisions, events and the calls that
 * reach the miner. The chains are the monitor's input data (counters as MiningStats keeps them).
 */
const log = pino({ level: 'silent' });

function config(health: unknown): KabosuConfig {
  return validateConfigText(JSON.stringify({ version: 1, ...(health === undefined ? {} : { health }) }), 'test.json').config;
}

/** What the chip counters do: every chip returns 20 results/s, `hw[chip]` % of them HW errors; `silent` chips return nothing. */
interface Behaviour {
  hw?: Record<number, number>;
  /** HW errors stop at this time (virtual ms): the chip is fine again. */
  hwUntilMs?: number;
  silent?: number[];
  down?: boolean;
  /** The pool credits nothing (divergence for the flatline watchdog). */
  uncredited?: boolean;
}

function rig(cfg: KabosuConfig, b: Behaviour) {
  const clock = new VirtualClock();
  const dir = mkdtempSync(join(tmpdir(), 'kbs-healthcfg-'));
  const events: DaemonEvent[] = [];
  const calls: string[] = [];
  const chains = (): MonitoredChain[] => {
    const results = Math.floor(clock.now() / 50);
    return [
      {
        index: 0,
        ready: !b.down,
        chipsFound: b.down ? 0 : 4,
        expectedChips: 4,
        expectedHps: 4 * 65536 * 10, // 10 nonces/s per chip at ticket difficulty 1
        ticketDifficulty: 1,
        frames: results * 4,
        badFrames: 0,
        chipFreqMHz: [384, 384, 384, 384],
        chips: [0, 1, 2, 3].map((chip) => {
          if (b.silent?.includes(chip)) return { nonces: 0, hwErrors: 0 };
          const hwResults = b.hwUntilMs === undefined ? results : Math.min(results, Math.floor(b.hwUntilMs / 50));
          const hwErrors = Math.floor((hwResults * (b.hw?.[chip] ?? 0)) / 100);
          return { nonces: results - hwErrors, hwErrors };
        }),
        ...(b.down ? { error: 'no chip answers' } : {}),
      },
    ];
  };
  const health = new HealthComponent({
    clock,
    log,
    dataDir: dir,
    config: cfg.health,
    ports: {
      chains,
      actions: {
        reinitChain: async (k) => {
          calls.push(`reinit ${k}`);
          return false;
        },
        setChipFreq: async (k, c, f) => void calls.push(`freq ${k}.${c} ${f}`),
        disableChip: async (k, c) => void calls.push(`disable ${k}.${c}`),
        powerOffBoard: async (k) => void calls.push(`off ${k}`),
      },
      hardware: () => undefined,
      power: () => undefined,
      chainFreqMHz: () => 384,
      raise: (e) => events.push(e),
      ...(b.uncredited ? { shares: () => ({ accepted: 0, rejected: 0, notSubmitted: 0, difficulty: 1 }) } : {}),
    },
  });
  return {
    clock,
    health,
    events,
    calls,
    kinds: (kind: string) => events.filter((e) => e.kind === kind),
    async run(ms: number) {
      await clock.runFor(ms);
      await health.monitor.settled();
    },
    async stop() {
      await health.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('defaults are exactly the constants health used before the config section existed', () => {
  const d = defaultHealthConfig();
  assert.equal(config(undefined).health, d, 'ajv useDefaults and the schema walk agree');
  const s = healthSettings(d);
  // capRecovery* is new (a chip lowered used to stay lowered until a restart): an hour ok, 3 tries.
  assert.equal(s.policy, { maxReinitsPerHour: 2, freqStepMHz: 25, minFreqMHz: 100, deadChipsForReinit: 3, deadGraceMs: 15_000, act: true, recoverAfterMs: 3_600_000, maxRecoverFailures: 3 });
  assert.equal(s.chip, DEFAULT_CHIP_HEALTH);
  assert.equal(s.chain, DEFAULT_CHAIN_HEALTH);
  assert.equal(s.watchdog, { enabled: true, intervalMs: 10_000, windowMs: 600_000, p: 1e-6, maxRestartsPerHour: 3 });
  assert.equal(s.hardware, { intervalMs: 30_000, sensorStuckMs: 300_000, psuSagRatio: 0.95, regulatorToleranceV: 0.05 });
  assert.is(s.intervalMs, 5000);
  assert.is(s.enabled, true);
  assert.is(s.act, true);
});

test('a chip lowered for HW errors gets its frequency back once it has been ok for capRecoveryS; 0 keeps it lowered', async () => {
  const back = rig(config({ capRecoveryS: 1800 }), { hw: { 1: 3 }, hwUntilMs: 15 * 60_000 });
  const never = rig(config({ capRecoveryS: 0 }), { hw: { 1: 3 }, hwUntilMs: 15 * 60_000 });
  try {
    for (const r of [back, never]) {
      await r.health.start();
      await r.run(15 * 60_000);
      assert.equal(r.calls, ['freq 0.1 359'], 'lowered one step for the HW errors');
      await r.run(3 * 3600_000); // errors stopped: the window clears, the chip is ok again
      assert.is(r.health.monitor.chipState(0, 1), 'ok');
    }
    assert.equal(back.calls, ['freq 0.1 359', 'freq 0.1 null'], 'the cap lifted after 30 min ok');
    const lifted = back.kinds('health_action').find((e) => e.data?.action === 'raise_chip_freq');
    assert.ok(lifted && lifted.severity === 'info' && /uncapped/.test(lifted.message), JSON.stringify(lifted));
    assert.equal(never.calls, ['freq 0.1 359'], 'capRecoveryS 0: stays lowered');
  } finally {
    await back.stop();
    await never.stop();
  }
});

test('a chip at 3 % HW errors is degraded and stepped down at the default, but ok at degradedHwErrorRatio 0.05', async () => {
  const def = rig(config(undefined), { hw: { 1: 3 } });
  const lax = rig(config({ chip: { degradedHwErrorRatio: 0.05 } }), { hw: { 1: 3 } });
  try {
    for (const r of [def, lax]) {
      await r.health.start();
      await r.run(15 * 60_000);
    }
    assert.is(def.health.monitor.chipState(0, 1), 'degraded');
    assert.equal(def.calls, ['freq 0.1 359']);
    assert.ok(def.kinds('chip_degraded').some((e) => e.data?.chip === 1 && e.data?.reason === 'hw_errors'));
    assert.ok(def.kinds('health_action').some((e) => e.data?.action === 'lower_chip_freq' && e.data?.toMHz === 359));

    assert.is(lax.health.monitor.chipState(0, 1), 'ok');
    assert.equal(lax.calls, []);
    assert.equal(lax.kinds('chip_degraded'), []);
    for (const chip of [0, 2, 3]) assert.is(lax.health.monitor.chipState(0, chip), 'ok');
  } finally {
    await def.stop();
    await lax.stop();
  }
});

test('actions "report": the diagnosis and the advice are raised, but no frequency change, disable or re-init reaches the chain', async () => {
  const r = rig(config({ actions: 'report' }), { hw: { 1: 3 }, silent: [2] });
  try {
    await r.health.start();
    await r.run(15 * 60_000);
    assert.equal(r.calls, [], 'nothing performed');
    assert.equal(r.kinds('health_action'), []);
    assert.is(r.health.monitor.chipState(0, 1), 'degraded');
    assert.is(r.health.monitor.chipState(0, 2), 'dead', 'advised, not disabled: still judged');
    const advice = r.kinds('health_advice');
    assert.ok(advice.every((e) => e.data?.performed === false && /not done: health.actions is "report"/.test(e.message)));
    assert.equal(advice.map((e) => `${e.data?.action} ${e.data?.chip}`).sort(), ['disable_chip 2', 'lower_chip_freq 1'], 'each advised once, not every tick');
    assert.ok(r.kinds('chip_dead').some((e) => e.data?.chip === 2));
  } finally {
    await r.stop();
  }
});

test('hot reload from "report" to "auto" performs what was only advised; enabled false stops judging', async () => {
  const r = rig(config({ actions: 'report' }), { silent: [2] });
  try {
    await r.health.start();
    await r.run(60_000);
    assert.equal(r.calls, []);
    assert.is(r.kinds('health_advice').length, 1);
    assert.equal(r.health.reload(config({ actions: 'auto' })), { applied: true });
    await r.run(10_000);
    assert.equal(r.calls, ['disable 0.2']);
    assert.is(r.health.monitor.chipState(0, 2), 'disabled');

    r.health.reload(config({ enabled: false }));
    const before = r.events.length;
    assert.is(r.health.monitor.chipState(0, 0), 'unknown', 'no stale verdicts while off');
    await r.run(60_000);
    assert.is(r.events.length, before, 'nothing judged or raised while off');
    r.health.reload(config({ intervalMs: 2000 }));
    await r.run(4000);
    assert.is(r.health.monitor.chipState(0, 0), 'ok', 'judging again after enabled goes back to true');
  } finally {
    await r.stop();
  }
});

test('maxReinitsPerHour 0: a chain with no chip is powered off at once instead of re-initialised', async () => {
  const dflt = rig(config(undefined), { down: true });
  const none = rig(config({ maxReinitsPerHour: 0 }), { down: true });
  try {
    for (const r of [dflt, none]) {
      await r.health.start();
      await r.run(30_000);
    }
    assert.equal(dflt.calls, ['reinit 0', 'reinit 0', 'off 0'], 'default: two re-inits, then off');
    assert.equal(none.calls, ['off 0']);
  } finally {
    await dflt.stop();
    await none.stop();
  }
});

test('actions "report" still powers a board off (safety): a chain with no chip and no re-init budget', async () => {
  const r = rig(config({ actions: 'report', maxReinitsPerHour: 0 }), { down: true });
  try {
    await r.health.start();
    await r.run(30_000);
    assert.equal(r.calls, ['off 0'], 'powered off although actions is "report"');
  } finally {
    await r.stop();
  }
});

test('deadGraceMs and deadChipsForReinit decide between waiting, disabling and a chain re-init', async () => {
  const slow = rig(config({ deadGraceMs: 600_000 }), { silent: [2] });
  const group = rig(config({ deadChipsForReinit: 1 }), { silent: [2] });
  try {
    for (const r of [slow, group]) {
      await r.health.start();
      await r.run(120_000);
    }
    assert.is(slow.health.monitor.chipState(0, 2), 'dead');
    assert.equal(slow.calls, [], 'still inside the 10 min grace');
    assert.equal(group.calls.slice(0, 1), ['reinit 0'], 'one dead chip is enough for a re-init');
  } finally {
    await slow.stop();
    await group.stop();
  }
});

test('flatline watchdog: divergence re-inits every chain in auto, only reports in "report"; flatline.enabled false: silent', async () => {
  const auto = rig(config(undefined), { uncredited: true });
  const report = rig(config({ actions: 'report' }), { uncredited: true });
  const off = rig(config({ flatline: { enabled: false } }), { uncredited: true });
  try {
    for (const r of [auto, report, off]) {
      await r.health.start();
      await r.run(5 * 60_000);
    }
    assert.match(auto.kinds('divergence')[0]?.message ?? '', /re-initialising every chain/);
    assert.equal(auto.calls, ['reinit 0']);
    assert.match(report.kinds('divergence')[0]?.message ?? '', /health.actions is "report": not re-initialising/);
    assert.is(report.kinds('divergence')[0].data?.restart, false);
    assert.equal(report.calls, []);
    assert.equal(off.kinds('divergence'), []);
  } finally {
    for (const r of [auto, report, off]) await r.stop();
  }
});

test.run();
