import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { getChipFamily } from '../../../src/chips';
import { KabosuError } from '../../../src/core/errors';
import { diff, diffBoard, floorStep, FrequencyPlan, type FrequencyCap } from '../../../src/hashboard/frequencyPlan';
import { pllLadder } from '../../../src/tuning/ladder';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const fam = getChipFamily('bm1485');
const ladder = pllLadder(fam.pllFor, 100, 650);
const onLadder = (f: number) => ladder.some((x) => Math.abs(x - f) < 1e-9);
const plan = () => FrequencyPlan.stock({ ladderMHz: ladder, stockMHz: 384, chipsPerBoard: [4, 4] });

function throwsCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, KabosuError);
    assert.is((e as KabosuError).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test('stock plan: every chip at the board stock, scale 1, no caps', () => {
  const p = plan();
  assert.equal(p.effectiveBoard(0), [384, 384, 384, 384]);
  assert.equal(p.board(1).cap, [null, null, null, null]);
  assert.is(p.board(1).scale, 1);
  assert.is(p.minMHz, 100);
});

test('a 0.9 throttle keeps per-chip differences: 400 and 350 become the ladder steps at or below 360 and 315', () => {
  const p = plan().withBase(0, 0, 400).withBase(0, 1, 350).withScale(0, 0.9);
  const [a, b] = p.effectiveBoard(0);
  assert.is(a, ladder[floorStep(ladder, 360)]);
  assert.is(b, ladder[floorStep(ladder, 315)]);
  assert.ok(a! <= 360 && a! > 355, String(a));
  assert.ok(b! <= 315 && b! > 310, String(b));
  assert.equal(p.effectiveBoard(1), [384, 384, 384, 384], 'other board untouched');
  assert.equal(p.withScale(0, 1).effectiveBoard(0).slice(0, 2), [400, 350], 'restore returns to the base');
});

test('a health cap below the base wins, survives a scale, and lifting it returns to the base', () => {
  const p = plan().withBase(0, 'all', 400).withCap(0, 2, 300);
  assert.equal(p.effectiveBoard(0), [400, 400, 300, 400]);
  const t = p.withScale(0, 0.5);
  assert.equal(t.effectiveBoard(0), [200, 200, 150, 200]);
  assert.equal(t.withScale(0, 1).effectiveBoard(0), [400, 400, 300, 400]);
  assert.equal(t.withScale(0, 1).withCap(0, 2, null).effectiveBoard(0), [400, 400, 400, 400]);
  assert.is(p.capped(0, 2), 300);
});

test('a disabled chip runs the lowest PLL step whatever its base and the scale', () => {
  const p = plan().withBase(0, 3, 600).withCap(0, 3, 'disabled');
  assert.is(p.effective(0, 3), 100);
  assert.is(p.withScale(0, 0.5).effective(0, 3), 100);
  assert.is(p.capped(0, 3), 100);
});

test('never below the family minimum: 150 MHz x 0.5 stays at 100', () => {
  assert.is(plan().withBase(1, 0, 150).withScale(1, 0.5).effective(1, 0), 100);
});

test('off-ladder bases snap down, never up; above the ladder snaps to its top', () => {
  const p = plan().withBase(0, 0, 401).withBase(0, 1, 399.99).withBase(0, 2, 9999);
  assert.equal(p.effectiveBoard(0).slice(0, 3), [400, ladder[floorStep(ladder, 399.99)], 650]);
  assert.ok(p.effective(0, 1) < 399.99);
});

test('bad input gets typed errors, never a crash or a silent clamp', () => {
  const p = plan();
  throwsCode(() => p.withBase(2, 0, 400), 'KBS_E_FREQ_BAD_CHIP');
  throwsCode(() => p.withBase(0, 4, 400), 'KBS_E_FREQ_BAD_CHIP');
  throwsCode(() => p.withBase(0, -1, 400), 'KBS_E_FREQ_BAD_CHIP');
  throwsCode(() => p.withBase(0, 0.5, 400), 'KBS_E_FREQ_BAD_CHIP');
  throwsCode(() => p.withBase(0, 0, Number.NaN), 'KBS_E_FREQ_BAD_VALUE');
  throwsCode(() => p.withBase(0, 0, -5), 'KBS_E_FREQ_BAD_VALUE');
  throwsCode(() => p.withCap(0, 0, 0), 'KBS_E_FREQ_BAD_VALUE');
  throwsCode(() => p.withCap(0, 0, 'off' as unknown as FrequencyCap), 'KBS_E_FREQ_BAD_VALUE');
  throwsCode(() => p.withScale(0, 0.49), 'KBS_E_FREQ_BAD_SCALE');
  throwsCode(() => p.withScale(0, 1.01), 'KBS_E_FREQ_BAD_SCALE');
  throwsCode(() => p.withScale(0, Number.POSITIVE_INFINITY), 'KBS_E_FREQ_BAD_SCALE');
  throwsCode(() => p.effective(0, 9), 'KBS_E_FREQ_BAD_CHIP');
  throwsCode(() => FrequencyPlan.stock({ ladderMHz: [], stockMHz: 384, chipsPerBoard: [1] }), 'KBS_E_FREQ_BAD_VALUE');
  throwsCode(() => FrequencyPlan.stock({ ladderMHz: [200, 100], stockMHz: 384, chipsPerBoard: [1] }), 'KBS_E_FREQ_BAD_VALUE');
  throwsCode(() => FrequencyPlan.stock({ ladderMHz: [100], stockMHz: 0, chipsPerBoard: [1] }), 'KBS_E_FREQ_BAD_VALUE');
  throwsCode(() => FrequencyPlan.stock({ ladderMHz: [100], stockMHz: 100, chipsPerBoard: [1.5] }), 'KBS_E_FREQ_BAD_VALUE');
  assert.equal(p.effectiveBoard(0), [384, 384, 384, 384], 'a rejected change leaves the plan as it was');
});

// ---- properties (fast-check) ----

const N = 6;
type Op = { k: 'base'; board: number; chip: number | 'all'; mhz: number } | { k: 'cap'; board: number; chip: number; cap: FrequencyCap } | { k: 'scale'; board: number; s: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('base' as const), board: fc.integer({ min: 0, max: 1 }), chip: fc.oneof(fc.integer({ min: 0, max: N - 1 }), fc.constant('all' as const)), mhz: fc.double({ min: 50, max: 800, noNaN: true }) }),
  fc.record({ k: fc.constant('cap' as const), board: fc.integer({ min: 0, max: 1 }), chip: fc.integer({ min: 0, max: N - 1 }), cap: fc.oneof(fc.double({ min: 50, max: 800, noNaN: true }), fc.constant('disabled' as const), fc.constant(null)) }),
  fc.record({ k: fc.constant('scale' as const), board: fc.integer({ min: 0, max: 1 }), s: fc.double({ min: 0.5, max: 1, noNaN: true }) }),
);
function applyOp(p: FrequencyPlan, o: Op): FrequencyPlan {
  return o.k === 'base' ? p.withBase(o.board, o.chip, o.mhz) : o.k === 'cap' ? p.withCap(o.board, o.chip, o.cap) : p.withScale(o.board, o.s);
}
const planArb = fc.array(opArb, { maxLength: 30 }).map((ops) => ops.reduce(applyOp, FrequencyPlan.stock({ ladderMHz: ladder, stockMHz: 384, chipsPerBoard: [N, N] })));

test('property: effective is ladder-legal, >= the floor, and never above base, cap or scale x base (unless at the floor)', () => {
  fc.assert(
    fc.property(planArb, (p) => {
      for (let b = 0; b < 2; b++) {
        const bp = p.board(b);
        for (let c = 0; c < N; c++) {
          const e = p.effective(b, c);
          assert.ok(onLadder(e), `${e} not on the ladder`);
          assert.ok(e >= p.minMHz);
          const cap = bp.cap[c];
          if (cap === 'disabled') {
            assert.is(e, p.minMHz);
            continue;
          }
          const base = bp.baseMHz[c]!;
          const atFloor = e === p.minMHz;
          if (!atFloor) {
            assert.ok(e <= base + 1e-9, `${e} > base ${base}`);
            if (cap !== null) assert.ok(e <= cap + 1e-9, `${e} > cap ${cap}`);
            assert.ok(e <= bp.scale * base + 1e-9, `${e} > ${bp.scale} x ${base}`);
          }
          // Snapped down by less than one step: the next step up would exceed the target.
          const target = Math.min(base, cap ?? Infinity) * bp.scale;
          const i = ladder.indexOf(e);
          if (i + 1 < ladder.length && target >= ladder[0]!) assert.ok(ladder[i + 1]! > target + 1e-9, `not the highest step <= ${target}`);
        }
      }
    }),
    { seed, numRuns: 300 },
  );
});

test('property: diff is minimal and complete; applying it to prev gives next', () => {
  fc.assert(
    fc.property(planArb, fc.array(opArb, { maxLength: 5 }), (p, ops) => {
      const q = ops.reduce(applyOp, p);
      const d = diff(p, q);
      const keys = new Set(d.map((c) => `${c.board}:${c.chip}`));
      assert.is(keys.size, d.length, 'no chip twice');
      for (let b = 0; b < 2; b++)
        for (let c = 0; c < N; c++) {
          const changed = p.effective(b, c) !== q.effective(b, c);
          assert.is(keys.has(`${b}:${c}`), changed, `board ${b} chip ${c}`);
        }
      for (const c of d) {
        assert.is(c.fromMHz, p.effective(c.board, c.chip));
        assert.is(c.toMHz, q.effective(c.board, c.chip));
      }
      assert.equal(diff(q, q), []);
    }),
    { seed, numRuns: 300 },
  );
});

test('diffBoard treats an unknown current frequency as a change', () => {
  assert.equal(diffBoard(1, [384, undefined], [384, 350]).map((c) => [c.chip, c.toMHz]), [[1, 350]]);
});

test('property: bad values in the with* calls always throw KabosuError, never anything else', () => {
  fc.assert(
    fc.property(fc.anything({ withNullPrototype: true, withBigInt: true }), fc.anything({ withNullPrototype: true }), fc.anything({ withNullPrototype: true, withBigInt: true }), (a, b, c) => {
      const p = plan();
      for (const f of [() => p.withBase(a as number, b as number, c as number), () => p.withCap(a as number, b as number, c as FrequencyCap), () => p.withScale(a as number, b as number), () => p.effective(a as number, b as number)]) {
        try {
          f();
        } catch (e) {
          assert.instance(e, KabosuError);
        }
      }
    }),
    { seed, numRuns: 300 },
  );
});

test.run();
if (process.exitCode) console.error(`FUZZ_SEED=${seed}`);
