import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { parseRequest, isComplete, MAX_REQUEST_BYTES } from '../../../src/api/cgminer/request';
import { parseAllow, mayWrite } from '../../../src/api/cgminer/access';
import { answer, toText } from '../../../src/api/cgminer/commands';
import { KabosuError } from '../../../src/core/errors';
import { l3Status, controlFor } from './cgminerFixture';

/** Property tests: the :4028 request parser and allow-list never throw on any input. */
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const params = { seed, numRuns: 400 };
const anyInput = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.json().map((s) => Buffer.from(s)),
  fc.record({ command: fc.oneof(fc.string(), fc.constantFrom('summary', 'summary+devs', 'stats+quit', '+', 'switchpool')), parameter: fc.anything() }, { requiredKeys: [] }).map((o) => Buffer.from(JSON.stringify(o) ?? '')),
  fc.integer({ min: MAX_REQUEST_BYTES - 10, max: MAX_REQUEST_BYTES + 100 }).map((n) => Buffer.alloc(n, 0x7b)),
);

test('parser: any bytes → a typed result, never a throw; answer + text form never throw', async () => {
  console.log(`fuzz seed ${seed}`);
  const { control } = controlFor(l3Status());
  await fc.assert(fc.asyncProperty(anyInput, fc.boolean(), async (buf, w) => {
    isComplete(buf);
    const r = parseRequest(buf);
    assert.type(r.ok, 'boolean');
    if (r.ok) assert.ok(r.request.commands.length > 0 && r.request.commands.length <= 16);
    else assert.ok([14, 23, 24].includes(r.code));
    const reply = await answer(r, { mayWrite: w, tokenOk: w }, { control, personality: w ? 'kabosu' : 'antminer-l3plus', nowS: 1 });
    JSON.stringify(reply);
    toText(reply);
  }), params);
});

test('allow-list: any entry parses or throws a typed error; matching any address never throws', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 50 }), fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 40 })).map(([a, n]) => `${a}/${n}`), fc.ipV6()), fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), (entry, addr) => {
    try {
      const rule = parseAllow(entry);
      mayWrite([rule], addr);
    } catch (e) {
      assert.instance(e, KabosuError);
    }
  }), params);
});

test('allow-list: an address is always inside its own /N network and any /0..32 prefix of itself', () => {
  fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, n) => {
    assert.ok(mayWrite([parseAllow(`${a}/${n}`)], a));
    assert.ok(mayWrite([parseAllow(a)], `::ffff:${a}`));
  }), params);
});

test.run();
