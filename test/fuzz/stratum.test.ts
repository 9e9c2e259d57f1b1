import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import * as net from 'node:net';
import { LineFramer, MAX_LINE } from '../../src/stratum/v1/framing';
import { parseMessage } from '../../src/stratum/v1/messages';
import { parseNotify } from '../../src/work/job';
import { ProtocolError } from '../../src/core/errors';
import { startTestPool } from '../../src/pool';
import pino from 'pino';
import { RealClock } from '../../src/hal/clock';
import { StratumV1Session } from '../../src/stratum';
import { MAX_POOL_DIFFICULTY, MIN_POOL_DIFFICULTY, SERVER_HANDLERS, type HandlerContext } from '../../src/stratum/v1/handlers';

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

const hostile = fc.oneof(
  fc.array(fc.jsonValue(), { maxLength: 12 }),
  fc.array(fc.oneof(fc.constant(null), fc.constant(''), fc.integer(), fc.double(), fc.string({ maxLength: 300 }), fc.boolean(),
    fc.constantFrom('__proto__', 'constructor', '-1', '1e309', '65536', 'ffffffff', 'zz'), fc.array(fc.string({ maxLength: 70 }), { maxLength: 4 }),
    fc.object({ maxDepth: 2 })), { maxLength: 12 }));

test('every server handler: hostile params give effects or a KabosuError naming the method, never anything else', () => {
  const ctx: HandlerContext = { nextDifficulty: 1, extranonce1: Buffer.alloc(4), extranonce2Size: 4, endpoint: { host: 'pool', port: 3333, tls: false }, allowRedirectHost: false, agent: 'a' };
  fc.assert(fc.property(fc.constantFrom(...Object.keys(SERVER_HANDLERS)), hostile, fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 8 })), (method, p, id) => {
    try {
      const effects = SERVER_HANDLERS[method](p, id, ctx);
      assert.ok(Array.isArray(effects));
      for (const e of effects) {
        if (e.kind === 'reconnect') { assert.ok(e.port >= 1 && e.port <= 65535 && e.waitMs >= 0 && e.waitMs <= 300_000); assert.is(e.host, 'pool'); }
        if (e.kind === 'difficulty') assert.ok(Number.isFinite(e.difficulty) && e.difficulty >= MIN_POOL_DIFFICULTY && e.difficulty <= MAX_POOL_DIFFICULTY);
        if (e.kind === 'extranonce') assert.ok(e.extranonce2Size >= 1 && e.extranonce2Size <= 16 && e.extranonce1.length <= 32);
        if (e.kind === 'message') assert.ok(e.text.length <= 1024);
      }
    } catch (e) {
      assert.instance(e, ProtocolError);
      assert.ok((e as Error).message.startsWith(`${method}: `), (e as Error).message);
    }
  }), params);
});

test('a live session survives hostile params to every handler: counted, never thrown, still gets jobs', async () => {
  let conn: net.Socket | undefined;
  let conns = 0;
  const server = net.createServer((c) => {
    conn = c; conns++;
    c.setEncoding('utf8');
    c.on('error', () => undefined);
    c.on('data', (d: string) => {
      for (const line of d.split('\n').filter(Boolean)) {
        const m = JSON.parse(line);
        if (m.method === 'mining.subscribe') c.write(JSON.stringify({ id: m.id, result: [[['mining.notify', 'ab']], '01020304', 4], error: null }) + '\n');
        if (m.method === 'mining.authorize') c.write(JSON.stringify({ id: m.id, result: true, error: null }) + '\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const s = new StratumV1Session({ url: `stratum+tcp://127.0.0.1:${port}`, user: 'u', password: 'p', clock: new RealClock(), logger: pino({ level: 'silent' }), backoffBaseMs: 10 });
  const until = async (f: () => boolean) => { const t0 = Date.now(); while (!f()) { if (Date.now() - t0 > 5000) throw new Error('timeout'); await new Promise((r) => setTimeout(r, 5)); } };
  s.start();
  await until(() => s.state === 'ready');
  const methods = [...Object.keys(SERVER_HANDLERS), '__proto__', 'toString', 'constructor', 'mining.subscribe'];
  const ctx: HandlerContext = { nextDifficulty: 1, extranonce1: Buffer.alloc(4), extranonce2Size: 4, endpoint: { host: '127.0.0.1', port, tls: false }, allowRedirectHost: false, agent: 'a' };
  const followed = (p: unknown[]) => { try { return SERVER_HANDLERS['client.reconnect'](p, null, ctx).some((e) => e.kind === 'reconnect'); } catch { return false; } };
  // a valid client.reconnect is (rightly) followed, possibly to a dead port or after minutes: keep those out
  const msgs = fc.sample(fc.tuple(fc.constantFrom(...methods), hostile, fc.oneof(fc.constant(null), fc.nat())), { seed, numRuns: 300 })
    .filter(([m, p]) => m !== 'client.reconnect' || !followed(p));
  let crashed: unknown;
  const onErr = (e: unknown) => { crashed = e; };
  process.on('uncaughtException', onErr);
  for (const [method, p, id] of msgs) conn!.write(JSON.stringify({ id, method, params: p }) + '\n');
  await new Promise((r) => setTimeout(r, 300));
  process.off('uncaughtException', onErr);
  assert.is(crashed, undefined);
  assert.ok(s.stats.badParams > 0 && s.stats.unknownMethods > 0, JSON.stringify(s.stats));
  assert.is(s.state, 'ready');
  assert.is(conns, 1);
  const job = s.events.next('job');
  // a usable difficulty first: a notify right after an unusable one (the hostile run may end on one) fails the pool by design
  conn!.write(JSON.stringify({ id: null, method: 'mining.set_difficulty', params: [1] }) + '\n');
  conn!.write(JSON.stringify({ id: null, method: 'mining.notify', params: ['ok1', '00'.repeat(32), '01', '02', [], '00000002', '1b44dfdb', '53178f9b', true] }) + '\n');
  assert.is((await job).jobId, 'ok1');
  console.log(`hostile: ${msgs.length} messages, badParams ${s.stats.badParams}, unknown ${s.stats.unknownMethods}, connections ${conns}`);
  await s.close();
  conn?.destroy();
  await new Promise((r) => server.close(r));
});

test.run();
