import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { KabosuError } from '../../src/core/errors';
import { parseProfileFile } from '../../src/tuning/profile';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const onFail = (e: unknown): never => {
  console.error(`FUZZ_SEED=${seed}`);
  throw e;
};

const valid = {
  version: 1,
  model: 'l3plus',
  power: { a: 7e-5, d: 70 },
  boards: [
    {
      key: 'slot:0',
      serial: null,
      slot: 0,
      voltageV: 9.5,
      freqMHz: [400, 404],
      dead: [false, true],
      chars: [{ voltageV: 9.5, freqMHz: [404, 0] }],
      conditions: { ambientC: 25, boardC: null, target: { kind: 'power', maxPowerW: 600 }, savedAtMs: 5 },
    },
  ],
};

function mutate(x: unknown, path: Array<string | number>, v: unknown): unknown {
  if (path.length === 0) return v;
  const [h, ...rest] = path;
  if (Array.isArray(x)) return x.map((e, i) => (i === h ? mutate(e, rest, v) : e));
  if (typeof x === 'object' && x !== null) return { ...(x as object), [h as string]: mutate((x as Record<string, unknown>)[h as string], rest, v) };
  return x;
}

const paths: Array<Array<string | number>> = [
  ['version'], ['model'], ['power'], ['power', 'a'], ['boards'], ['boards', 0], ['boards', 0, 'freqMHz'], ['boards', 0, 'freqMHz', 1],
  ['boards', 0, 'dead', 0], ['boards', 0, 'chars', 0, 'freqMHz'], ['boards', 0, 'conditions', 'target'], ['boards', 0, 'conditions', 'target', 'kind'],
  ['boards', 0, 'serial'], ['boards', 0, 'voltageV'], ['boards', 0, 'conditions'],
];

test('random JSON values never crash the profile parser: a profile or KBS_E_TUNING_PROFILE', () => {
  try {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseProfileFile(v);
        } catch (e) {
          assert.instance(e, KabosuError);
          assert.is((e as KabosuError).code, 'KBS_E_TUNING_PROFILE');
        }
      }),
      { seed, numRuns: 500 },
    );
  } catch (e) {
    onFail(e);
  }
});

test('a valid profile with one field replaced by anything parses or is refused cleanly; what parses is well-typed', () => {
  try {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything(), (path, v) => {
        const x = mutate(valid, path, v);
        try {
          const f = parseProfileFile(x);
          for (const b of f.boards) {
            assert.ok(b.freqMHz.every((n) => Number.isFinite(n)));
            assert.is(b.dead.length, b.freqMHz.length);
            for (const c of b.chars) assert.is(c.freqMHz.length, b.freqMHz.length);
          }
        } catch (e) {
          assert.instance(e, KabosuError);
          assert.is((e as KabosuError).code, 'KBS_E_TUNING_PROFILE');
        }
      }),
      { seed, numRuns: 1000 },
    );
  } catch (e) {
    onFail(e);
  }
});

test.run();
