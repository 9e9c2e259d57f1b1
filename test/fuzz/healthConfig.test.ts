import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import pino from 'pino';
import { validateConfigText } from '../../src/config/validate';
import { ConfigInvalidError } from '../../src/config/issues';
import { CONFIG_SCHEMA, type HealthConfig } from '../../src/config/schema';
import { healthSettings } from '../../src/health/healthSettings';
import { HealthMonitor, type MonitoredChain } from '../../src/health/healthMonitor';
import { VirtualClock } from '../../src/hal/clock';
import type { DaemonEvent } from '../../src/core/minerApi';

// Seeded; a failure prints the seed and the counterexample (fast-check does), rerun with it.
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const log = pino({ level: 'silent' });

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
}
const HEALTH = CONFIG_SCHEMA.properties.health as unknown as Node;

/** In range only (`hostile` false), or also values at and beyond each field's limits and wrong types. */
function valueFor(n: Node, hostile: boolean): fc.Arbitrary<unknown> {
  if (n.properties) {
    const rec: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, v] of Object.entries(n.properties)) rec[k] = valueFor(v, hostile);
    return fc.record(rec, { requiredKeys: [] });
  }
  if (!hostile) {
    if (n.enum) return fc.constantFrom(...n.enum);
    if (n.type === 'boolean') return fc.boolean();
    const lo = n.minimum ?? 0;
    const hi = n.maximum ?? 1e6;
    return n.type === 'integer' ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }) : fc.double({ min: lo, max: hi, noNaN: true, minExcluded: true });
  }
  const wrong = fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean(), fc.constant([]));
  if (n.enum) return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...n.enum) }, { weight: 1, arbitrary: wrong });
  if (n.type === 'boolean') return fc.oneof({ weight: 8, arbitrary: fc.boolean() }, { weight: 1, arbitrary: wrong });
  const lo = n.minimum ?? 0;
  const hi = n.maximum ?? 1e6;
  const inRange = n.type === 'integer' ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }) : fc.double({ min: lo, max: hi, noNaN: true });
  const edges = fc.constantFrom(lo, hi, lo - 1, hi + 1, -1, 0, 1e308, 0.5);
  return fc.oneof({ weight: 12, arbitrary: inRange }, { weight: 3, arbitrary: edges }, { weight: 1, arbitrary: wrong });
}

type Section = { chip?: Record<string, number>; chain?: Record<string, number> };
/** In range and ordered: each way back stricter than the way in (the cross-field rule), scaled into place. */
const VALID = valueFor(HEALTH, false).map((h) => {
  const x = structuredClone(h) as Section;
  if (x.chip?.recoveredHwErrorRatio !== undefined) x.chip.recoveredHwErrorRatio *= (x.chip.degradedHwErrorRatio ?? 0.02) / 0.5 * 0.999;
  if (x.chip?.slowRecoveredProbability !== undefined) x.chip.slowRecoveredProbability = Math.min(0.5, (x.chip.slowProbability ?? 1e-6) * (1.001 + x.chip.slowRecoveredProbability * 100));
  if (x.chain?.crcRecoveredRatio !== undefined) x.chain.crcRecoveredRatio *= (x.chain.crcErrorRatio ?? 0.01) / 0.5 * 0.999;
  if (x.chain?.crcErrorRatio !== undefined && x.chain.crcRecoveredRatio === undefined && x.chain.crcErrorRatio <= 0.005) x.chain.crcRecoveredRatio = x.chain.crcErrorRatio / 2;
  if (x.chip?.degradedHwErrorRatio !== undefined && x.chip.recoveredHwErrorRatio === undefined && x.chip.degradedHwErrorRatio <= 0.01) x.chip.recoveredHwErrorRatio = x.chip.degradedHwErrorRatio / 2;
  if (x.chip?.slowProbability !== undefined && x.chip.slowRecoveredProbability === undefined && x.chip.slowProbability >= 0.01) x.chip.slowRecoveredProbability = 0.02;
  return x;
});

test('any health section is either accepted with sane, ordered settings or refused with every issue under /health', () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(VALID, valueFor(HEALTH, true)), (health) => {
      let cfg;
      try {
        cfg = validateConfigText(JSON.stringify({ version: 1, health }), 'fuzz.json').config;
      } catch (e) {
        if (!(e instanceof ConfigInvalidError)) throw e;
        assert.ok(e.issues.length > 0);
        for (const i of e.issues) assert.ok(i.pointer.startsWith('/health'), i.pointer);
        return;
      }
      accepted++;
      const s = healthSettings(cfg.health);
      for (const [k, v] of Object.entries({ ...s.policy, ...s.chip, ...s.chain, ...s.hardware, wi: s.watchdog.intervalMs, ww: s.watchdog.windowMs, wp: s.watchdog.p, i: s.intervalMs })) {
        if (typeof v === 'number') assert.ok(Number.isFinite(v) && v >= 0, `${k}=${v}`);
      }
      assert.ok(s.chip.hwExit < s.chip.hwEnter && s.chip.slowExitP > s.chip.slowP && s.chain.crcExit < s.chain.crcEnter, 'hysteresis holds');
      assert.ok(s.chip.deadP > 0 && s.chip.deadP <= 0.01 && s.intervalMs >= 1000);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  assert.ok(accepted > RUNS / 4, `only ${accepted} of ${RUNS} sections accepted: the generator no longer exercises valid configs`);
});

test('under any accepted health section, random chip counters never throw and re-inits stay within maxReinitsPerHour', async () => {
  const section = VALID.filter((h) => {
    try {
      validateConfigText(JSON.stringify({ version: 1, health: h }), 'fuzz.json');
      return true;
    } catch {
      return false;
    }
  });
  const round = fc.array(fc.record({ dn: fc.nat(200), dh: fc.nat(50), found: fc.constantFrom(0, 3, 4), bad: fc.nat(20) }), { minLength: 5, maxLength: 60 });
  await fc.assert(
    fc.asyncProperty(section, round, async (health, rounds) => {
      const cfg = validateConfigText(JSON.stringify({ version: 1, health }), 'fuzz.json').config.health as HealthConfig;
      const s = healthSettings(cfg);
      const events: DaemonEvent[] = [];
      const reinits: number[] = [];
      const chips = [0, 1, 2, 3].map(() => ({ nonces: 0, hwErrors: 0 }));
      const c: MonitoredChain = { index: 0, ready: true, chipsFound: 4, expectedChips: 4, expectedHps: 4 * 65536 * 10, ticketDifficulty: 1, frames: 0, badFrames: 0, chipFreqMHz: [384, 384, 384, 384], chips };
      let now = 0;
      const m = new HealthMonitor({
        clock: new VirtualClock(),
        log,
        chains: () => [c],
        raise: (e) => events.push(e),
        policy: s.policy,
        chip: s.chip,
        chain: s.chain,
        actions: {
          reinitChain: async () => {
            reinits.push(now);
            return true;
          },
          setChipFreq: async () => undefined,
          disableChip: async () => undefined,
          powerOffBoard: async () => undefined,
        },
      });
      for (const r of rounds) {
        now += s.intervalMs;
        c.chipsFound = r.found;
        c.ready = r.found > 0;
        c.frames += r.dn * 4;
        c.badFrames += r.bad;
        c.chips = chips.map((x, i) => ({ nonces: (x.nonces += i === 0 ? 0 : r.dn), hwErrors: (x.hwErrors += i === 1 ? r.dh : 0) }));
        m.tick(now);
      }
      await m.settled();
      for (const t of reinits) assert.ok(reinits.filter((u) => u > t - 3600_000 && u <= t).length <= s.policy.maxReinitsPerHour, `${reinits.length} re-inits, budget ${s.policy.maxReinitsPerHour}/h`);
      assert.ok(events.every((e) => e.source === 'health' && typeof e.message === 'string'));
      if (!s.act) assert.equal(reinits, [], 'report mode performs nothing');
    }),
    { seed: SEED, numRuns: Math.min(RUNS, 150) },
  );
});

test.run();
