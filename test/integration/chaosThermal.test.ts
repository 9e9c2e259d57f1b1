/**
 * Seeded chaos: CHAOS_RUNS (default 1000) random fault sequences on accelerated virtual time.
 * Invariant on the simulator's TRUE state: no board stays powered > 1 s with a chip at or above
 * the dangerous temperature. Seed printed on failure; rerun one with CHAOS_SEED=<seed> CHAOS_RUNS=1.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { thermalRig } from './thermalHarness';

const RUNS = Number(process.env.CHAOS_RUNS ?? 1000);
const BASE = Number(process.env.CHAOS_SEED ?? 20261123);
const RUN_MS = Number(process.env.CHAOS_RUN_MS ?? 12000);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = ['ambient-step', 'ambient-step', 'sensor-stuck', 'sensor-absent', 'sensor-implausible', 'fan-seized', 'tach-lost', 'regulator-fault', 'chain-unplugged', 'psu-sag'] as const;

function randomSpec(r: () => number) {
  const kind = KINDS[Math.floor(r() * KINDS.length)];
  const chain = Math.floor(r() * 4);
  switch (kind) {
    case 'ambient-step': return { fault: kind, target: {}, params: { delta_c: Math.round(10 + r() * 70) } };
    case 'sensor-stuck': case 'sensor-absent': case 'sensor-implausible': return { fault: kind, target: { chain, sensor: Math.floor(r() * 2) }, params: {} };
    case 'fan-seized': case 'tach-lost': return { fault: kind, target: { fan: Math.floor(r() * 2) }, params: {} };
    case 'regulator-fault': return { fault: kind, target: { chain }, params: { mode: r() < 0.5 ? 'no-answer' : 'output-off' } };
    case 'chain-unplugged': return { fault: kind, target: { chain }, params: {} };
    default: return { fault: kind, target: {}, params: { scale: 0.85 + r() * 0.1 } };
  }
}

test('the invariant checker catches a miss (no controller running, ambient +80 C)', async () => {
  const rig = await thermalRig(1, { timeScale: 40 });
  try {
    rig.sim.control.inject({ fault: 'ambient-step', target: {}, params: { delta_c: 80 } } as never);
    await rig.run(RUN_MS);
    assert.ok(rig.worst() > 1000, `checker saw ${rig.worst()} ms`);
  } finally {
    await rig.stop();
  }
});

test(`chaos: ${RUNS} seeded fault sequences, zero interlock misses`, async () => {
  const started = Date.now();
  let trips = 0;
  for (let i = 0; i < RUNS; i++) {
    const seed = BASE + i;
    const r = rng(seed);
    const rig = await thermalRig(seed, { timeScale: 40, ambientC: 25 + r() * 15 });
    try {
      rig.ctl.events.on('trip', (t) => { trips++; if (process.env.CHAOS_DEBUG) console.log('trip', JSON.stringify(t)); });
      rig.ctl.start();
      const steps = 1 + Math.floor(r() * 4);
      const times = Array.from({ length: steps }, () => Math.floor(r() * RUN_MS * 0.8)).sort((a, b) => a - b);
      let at = 0;
      for (const t of times) {
        await rig.run(t - at);
        at = t;
        const spec = randomSpec(r);
        if (process.env.CHAOS_DEBUG) console.log(rig.clock.now(), JSON.stringify(spec));
        rig.sim.control.inject(spec as never);
      }
      await rig.run(RUN_MS - at);
      if (rig.worst() > 1000) assert.unreachable(`interlock miss: a board powered ${rig.worst()} ms at >= dangerous (CHAOS_SEED=${seed} CHAOS_RUNS=1)`);
    } finally {
      await rig.stop();
    }
  }
  const s = (Date.now() - started) / 1000;
  console.log(`chaos: ${RUNS} runs x ${RUN_MS / 1000} s simulated (physics x40) in ${s.toFixed(1)} s wall, ${trips} trips`);
});

test.run();
