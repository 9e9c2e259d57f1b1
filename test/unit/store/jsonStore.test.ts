import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { backupPathOf, decodeEnvelope, encodeEnvelope, readJson, writeJson } from '../../../src/store/jsonStore';
import { StoreError } from '../../../src/core/errors';
import fc from 'fast-check';

const SEED = Number(process.env.FUZZ_SEED ?? 7);

const dir = mkdtempSync(join(tmpdir(), 'kabosu-store-'));
let n = 0;
const fresh = () => join(dir, `doc${n++}.json`);

const OLD = { version: 1, shares: [1, 2, 3], name: 'old' };
const NEW = { version: 2, shares: [4, 5, 6, 7], name: 'new ünïcode' };

test('a written document reads back from the primary copy', () => {
  const p = fresh();
  writeJson(p, NEW);
  assert.equal(readJson(p), { data: NEW, source: 'primary' });
});

test('a missing document reads as undefined (first run)', () => {
  assert.is(readJson(fresh()), undefined);
});

test('each write keeps the previous good copy as .bak', () => {
  const p = fresh();
  writeJson(p, OLD);
  assert.not.ok(existsSync(backupPathOf(p)));
  writeJson(p, NEW);
  assert.equal(decodeEnvelope(readFileSync(backupPathOf(p), 'utf8')), { ok: true, data: OLD });
});

/** Every class of damage to the primary: empty, cut at each position class, flipped byte, garbage. */
function damages(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [['empty', ''], ['garbage', '\u0000\u00ff#!garbage'], ['whitespace', '   \n']];
  const cuts = new Set([1, 2, Math.floor(text.length / 4), Math.floor(text.length / 2), text.length - 3, text.length - 2]);
  for (const c of cuts) out.push([`truncated at ${c}`, text.slice(0, c)]);
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') continue;
    const flipped = String.fromCharCode(text.charCodeAt(i) ^ 0x01);
    out.push([`byte ${i} flipped`, text.slice(0, i) + flipped + text.slice(i + 1)]);
  }
  return out;
}

test('a damaged primary never mis-reads: it is either the new data or falls back to the last good copy', () => {
  const p = fresh();
  writeJson(p, OLD);
  writeJson(p, NEW);
  const good = readFileSync(p, 'utf8');
  let fellBack = 0;
  for (const [what, text] of damages(good)) {
    writeFileSync(p, text);
    const r = readJson(p);
    assert.ok(r, what);
    if (r!.source === 'primary') assert.equal(r!.data, NEW, `${what}: primary must be exactly the new data`);
    else {
      fellBack++;
      assert.equal(r!.data, OLD, `${what}: backup must be the last good copy`);
      assert.type(r!.primaryProblem, 'string');
    }
  }
  // Every flip in the checksum or data must be caught; only JSON-insignificant flips survive.
  assert.ok(fellBack > good.length - 20, `fell back ${fellBack} times for ${good.length} bytes`);
});

test('a damaged primary and a missing backup is a StoreError, not wrong data', () => {
  const p = fresh();
  writeJson(p, NEW);
  writeFileSync(p, readFileSync(p, 'utf8').slice(0, 10));
  assert.throws(() => readJson(p), (e: unknown) => e instanceof StoreError && (e as StoreError).code === 'KBS_E_STORE_CORRUPT');
});

test('both copies damaged is a StoreError that names the file', () => {
  const p = fresh();
  writeJson(p, OLD);
  writeJson(p, NEW);
  writeFileSync(p, '{');
  writeFileSync(backupPathOf(p), '');
  try {
    readJson(p);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, StoreError);
    assert.ok((e as Error).message.includes(p));
  }
});

test('writing over a corrupt primary does not replace the good backup', () => {
  const p = fresh();
  writeJson(p, OLD);
  writeJson(p, NEW);
  writeFileSync(p, 'torn');
  writeJson(p, { version: 3 });
  assert.equal(readJson(p), { data: { version: 3 }, source: 'primary' });
  assert.equal(decodeEnvelope(readFileSync(backupPathOf(p), 'utf8')), { ok: true, data: OLD });
});

test('a missing primary with a good backup reads the backup', () => {
  const p = fresh();
  writeJson(p, OLD);
  writeJson(p, NEW);
  rmSync(p);
  const r = readJson(p)!;
  assert.is(r.source, 'backup');
  assert.equal(r.data, OLD);
  assert.is(r.primaryProblem, 'missing');
});

test('encodeEnvelope refuses undefined', () => {
  assert.throws(() => encodeEnvelope(undefined), (e: unknown) => e instanceof StoreError);
});

test('decodeEnvelope rejects a valid JSON that is not an envelope', () => {
  assert.equal(decodeEnvelope('[1,2]'), { ok: false, problem: 'not a store envelope' });
  assert.equal(decodeEnvelope('{"kabosuStore":2,"sha256":"x","data":1}').ok, false);
});

test('fuzz: decodeEnvelope never throws, and a mutated envelope decodes to the exact data or is refused', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => {
    decodeEnvelope(t);
  }), { seed: SEED, numRuns: 300 });
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (data, at, x) => {
      const text = encodeEnvelope(data);
      const i = at % text.length;
      const mutated = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ x) + text.slice(i + 1);
      const r = decodeEnvelope(mutated);
      if (r.ok) assert.equal(JSON.stringify(r.data), JSON.stringify(data), `mis-read after changing byte ${i}`);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
