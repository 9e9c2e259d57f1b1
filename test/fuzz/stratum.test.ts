import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import * as net from 'node:net';
import { LineFramer, MAX_LINE } from '../../src/stratum/v1/framing';
import { parseMessage } from '../../src/stratum/v1/messages';
import { parseNotify } from '../../src/work/job';
import { ProtocolError } from '../../src/core/errors';
import { startTestPool } from '../../src/pool';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const params = { seed, numRuns: 500 };
console.log(`fuzz seed ${seed} (FC_SEED to replay)`);

const validLines = [
  '{"id":1,"result":[[["mining.notify","ae6812eb"]],"f8002c90",4],"error":null}',
  '{"id":null,"method":"mining.set_difficulty","params":[65536]}',
  '{"id":null,"method":"mining.notify","params":["b3ba","7dcf1304b04e79024066cd9481aa464e2fe17966e19edf6f33970e1fe0b60277","01","02",[],"00000002","1b44dfdb","53178f9b",true]}',
  '{"id":4,"result":null,"error":[23,"low difficulty share of 1",null]}',
];

function mutate(s: string, cuts: number[], ins: string): string {
  let out = s;
  for (const c of cuts) { const i = c % (out.length + 1); out = out.slice(0, i) + ins + out.slice(i + 1); }
  return out;
}

test('framer: any chunking of any text yields the same lines, none over the cap, never throws', () => {
  fc.assert(fc.property(fc.array(fc.string({ maxLength: 200 }), { maxLength: 20 }), fc.array(fc.nat(50), { maxLength: 10 }), (parts, cuts) => {
    const text = parts.join('\n') + '\n';
    const a = new LineFramer(64).push(text);
    const f = new LineFramer(64);
    const b: ReturnType<LineFramer['push']> = [];
    let pos = 0;
    for (const c of cuts) { b.push(...f.push(text.slice(pos, pos + c))); pos += c; }
    b.push(...f.push(text.slice(pos)));
    assert.equal(b.filter((e) => e.kind === 'line'), a.filter((e) => e.kind === 'line'));
    for (const e of a) if (e.kind === 'line') assert.ok(e.line.length <= 64);
  }), params);
});

test('framer: a line over 64 KiB is dropped and the next line still parses', () => {
  const f = new LineFramer();
  const ev = [...f.push('x'.repeat(MAX_LINE + 10)), ...f.push('yyy\n{"id":1}\n')];
  assert.equal(ev, [{ kind: 'overflow', bytes: MAX_LINE + 10 }, { kind: 'line', line: '{"id":1}' }]);
});

test('parseMessage never throws on random or mutated lines and accepts only well-formed messages', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.json(),
    fc.tuple(fc.constantFrom(...validLines), fc.array(fc.nat(), { maxLength: 4 }), fc.string({ maxLength: 3 })).map(([l, c, i]) => mutate(l, c, i))), (line) => {
    const r = parseMessage(line);
    if (r.ok) {
      if (r.msg.kind === 'request') { assert.type(r.msg.method, 'string'); assert.ok(Array.isArray(r.msg.params)); }
      else assert.ok(r.msg.id !== null);
    } else assert.type(r.error, 'string');
  }), params);
});

test('parseNotify throws only ProtocolError on random params', () => {
  const ctx = { difficulty: 1, extranonce1: Buffer.alloc(4), extranonce2Size: 4 };
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.string({ maxLength: 70 }), fc.boolean(), fc.array(fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b).toString("hex")), { maxLength: 3 })), { minLength: 9, maxLength: 10 })), (p) => {
    try { parseNotify(p, ctx); } catch (e) { assert.instance(e, ProtocolError); }
  }), params);
});

test('test pool survives random and mutated request lines and still serves a fresh client', async () => {
  const pool = await startTestPool({ pow: 'scrypt-sim' });
  const lines = fc.sample(fc.oneof(fc.string({ maxLength: 200 }), fc.json(),
    fc.tuple(fc.constantFrom(
      '{"id":1,"method":"mining.subscribe","params":["x"]}', '{"id":2,"method":"mining.authorize","params":["u","p"]}',
      '{"id":3,"method":"mining.submit","params":["u","1","00000000","5f000000","00000000"]}',
      '{"id":4,"method":"mining.suggest_difficulty","params":[0.5]}'), fc.array(fc.nat(), { maxLength: 3 }), fc.string({ maxLength: 3 })).map(([l, c, i]) => mutate(l, c, i))), { seed, numRuns: 400 });
  const sock = net.connect(pool.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.on('data', () => undefined);
  sock.write('{"id":1,"method":"mining.subscribe","params":[]}\n{"id":2,"method":"mining.authorize","params":["u","p"]}\n');
  for (const l of lines) sock.write(l.replace(/\n/g, ' ') + '\n');
  sock.write('z'.repeat(70_000) + '\n');
  await new Promise((r) => setTimeout(r, 300));
  sock.destroy();
  const probe = net.connect(pool.port, '127.0.0.1');
  const reply = await new Promise<string>((res) => { probe.setEncoding('utf8'); probe.on('data', (d: string) => res(d)); probe.write('{"id":7,"method":"mining.subscribe","params":[]}\n'); });
  probe.destroy();
  assert.match(reply, /"id":7/);
  assert.ok(pool.stats().malformedLines > 0);
  await pool.close();
});

test.run();
