import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { validateConfigText } from '../../src/config/validate';
import { checkConfigText } from '../../src/config/load';
import { ConfigInvalidError } from '../../src/config/issues';
import { ConfigError } from '../../src/core/errors';
import { devConfig } from '../../src/app/devConfig';

// Seeded; a failure prints the seed and the counterexample (fast-check does), rerun with it.
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

/** Validation either succeeds or throws a ConfigError whose issues all carry a pointer and message. */
function checkOutcome(text: string): void {
  try {
    const r = validateConfigText(text, 'fuzz.json');
    assert.type(r.config, 'object');
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`threw ${String(e)} for ${JSON.stringify(text).slice(0, 200)}`);
    if (e instanceof ConfigInvalidError) {
      assert.ok(e.issues.length > 0);
      for (const i of e.issues) {
        assert.type(i.pointer, 'string');
        assert.type(i.message, 'string');
        if (i.line !== undefined) assert.ok(i.line >= 1 && i.column! >= 1);
      }
    }
  }
}

const VALID = JSON.stringify({ ...devConfig(), thermal: { targetC: 70 }, api: { http: { port: 8081 } }, logging: { levels: { chips: 'debug' } } }, null, 2);

test('random JSON values never throw anything but ConfigError', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => checkOutcome(JSON.stringify(v))), { seed: SEED, numRuns: RUNS });
});

test('random strings (not JSON) never throw anything but ConfigError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => checkOutcome(s)), { seed: SEED, numRuns: RUNS });
});

test('byte-level mutations of a valid config never throw anything but ConfigError', () => {
  const mutation = fc.array(fc.tuple(fc.nat(VALID.length), fc.constantFrom('del', 'ins', 'flip'), fc.constantFrom(...'{}[],:"0a-\\/ \n\u0000é')), { minLength: 1, maxLength: 6 });
  fc.assert(
    fc.property(mutation, (ms) => {
      let t = VALID;
      for (const [at, op, ch] of ms) {
        const i = at % Math.max(1, t.length);
        t = op === 'del' ? t.slice(0, i) + t.slice(i + 1) : op === 'ins' ? t.slice(0, i) + ch + t.slice(i) : t.slice(0, i) + ch + t.slice(i + 1);
      }
      checkOutcome(t);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('structural mutations (a value replaced by any JSON at any path) never throw anything but ConfigError', () => {
  const base = JSON.parse(VALID) as Record<string, unknown>;
  const paths: Array<Array<string | number>> = [];
  const walk = (v: unknown, at: Array<string | number>) => {
    paths.push(at);
    if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...at, Array.isArray(v) ? Number(k) : k]);
  };
  walk(base, []);
  fc.assert(
    fc.property(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('__proto__', 'constructor', 'x'), (path, value, extraKey) => {
      const doc = structuredClone(base);
      let cur = doc as Record<string | number, unknown>;
      for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
      cur[path[path.length - 1]] = value;
      const text = JSON.stringify(doc).replace(/^\{/, `{"${extraKey}":1,`);
      checkOutcome(text);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('random environment overrides never throw anything but ConfigError', () => {
  const name = fc.array(fc.constantFrom('THERMAL', 'TARGETC', 'POOLS', '0', 'URL', 'API', 'HTTP', 'PORT', 'TOKEN', 'FILE', 'X', 'LOGGING', 'LEVELS'), { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(name, fc.string({ maxLength: 30 }), (parts, value) => {
      try {
        checkConfigText('{"version":1}', 'fuzz.json', { [`KABOSU_CONFIG_${parts.join('_')}`]: value });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('deep nesting and huge files are one ConfigError, not a stack overflow', () => {
  for (const t of ['['.repeat(100000), `{"version":1,"x":${'['.repeat(20000)}${']'.repeat(20000)}}`, `{"version":1,"device":{"name":"${'a'.repeat(2 * 1024 * 1024)}"}}`]) {
    assert.throws(() => validateConfigText(t, 'f'), (e: unknown) => e instanceof ConfigInvalidError);
  }
});

test('a prototype key in the file does not pollute Object.prototype', () => {
  checkOutcome('{"version":1,"__proto__":{"polluted":true},"thermal":{"__proto__":{"x":1}}}');
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test.run();
