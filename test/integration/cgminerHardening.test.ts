import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { CgminerApiServer } from '../../src/api/cgminer/server';
import { l3Status, controlFor } from '../unit/api/cgminerFixture';

/**
 * The :4028 server over real TCP (port 0) against hostile clients: prototype names are not
 * commands, the privileged-command token holds in every personality, and held idle connections
 * do not lock other clients out.
 */
const log = pino({ level: 'silent' });

function ask(port: number, req: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    s.on('close', () => resolve(Buffer.concat(got).toString().replace(/\0$/, '')));
    s.on('connect', () => s.write(req));
  });
}

async function withServer(o: Partial<ConstructorParameters<typeof CgminerApiServer>[0]>, fn: (port: number, calls: string[]) => Promise<void>) {
  const { control, calls } = controlFor(l3Status({ thermal: true }));
  const server = new CgminerApiServer({ host: '127.0.0.1', port: 0, personality: 'antminer-l3plus', allow: ['127.0.0.1'], control, log, ...o });
  const { port } = await server.listen();
  try {
    await fn(port, calls);
  } finally {
    await server.close();
  }
}

test('object prototype names are unknown commands (STATUS=E, Invalid command), in both forms and in joins', async () => {
  await withServer({}, async (port) => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      const j = JSON.parse(await ask(port, JSON.stringify({ command: name })));
      assert.is(j.STATUS[0].STATUS, 'E', name);
      assert.is(j.STATUS[0].Code, 14, name);
      assert.match(j.STATUS[0].Msg, /Invalid command/, name);
      assert.match(await ask(port, name), /^STATUS=E,When=\d+,Code=14,Msg=Invalid command/, name);
      const check = JSON.parse(await ask(port, JSON.stringify({ command: 'check', parameter: name })));
      assert.equal(check.CHECK, [{ Exists: 'N', Access: 'N' }], name);
    }
    const joined = JSON.parse(await ask(port, '{"command":"summary+constructor"}'));
    assert.is(joined.summary[0].STATUS[0].STATUS, 'S');
    assert.is(joined.constructor[0].STATUS[0].STATUS, 'E');
  });
});

test('antminer-l3plus enforces api.cgminer.token for privileged commands like the kabosu personality', async () => {
  await withServer({ personality: 'antminer-l3plus', token: 's3cret' }, async (port, calls) => {
    const no = JSON.parse(await ask(port, '{"command":"switchpool","parameter":"1"}'));
    assert.is(no.STATUS[0].Code, 45);
    const wrong = JSON.parse(await ask(port, '{"command":"switchpool","parameter":"1","token":"s3creT"}'));
    assert.is(wrong.STATUS[0].Code, 45);
    assert.match(await ask(port, 'switchpool|1'), /Code=45/);
    assert.equal(calls, []);
    const check = JSON.parse(await ask(port, '{"command":"check","parameter":"switchpool"}'));
    assert.equal(check.CHECK, [{ Exists: 'Y', Access: 'N' }]);
    const yes = JSON.parse(await ask(port, '{"command":"switchpool","parameter":"1","token":"s3cret"}'));
    assert.is(yes.STATUS[0].Code, 27);
    assert.equal(calls, ['switch backup']);
    // Reports stay open without a token.
    assert.is(JSON.parse(await ask(port, '{"command":"summary"}')).STATUS[0].STATUS, 'S');
  });
});

function hold(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined); // dropped by the server: expected for the oldest ones
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// 1,100 client sockets here plus the server's side of the ones it keeps (at most its cap, 128):
// fewer where this process may not open that many files (still far over the cap).
const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 1024;
const HELD = Math.min(1100, Math.floor((fdLimit - 300) / 100) * 100);

test(`1,100 held idle connections do not block :4028: a new client still gets its answer (${HELD} here)`, async () => {
  assert.ok(HELD > 300, `ulimit -n ${fdLimit} is too low for this test`);
  await withServer({ timeoutMs: 60_000 }, async (port) => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < HELD; i += 100) held.push(...(await Promise.all(Array.from({ length: 100 }, () => hold(port)))));
      const r = JSON.parse(await ask(port, '{"command":"summary"}'));
      assert.is(r.STATUS[0].STATUS, 'S');
      assert.ok(r.SUMMARY.length === 1);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});

test('a client that trickles bytes is cut off once its request time is up, though it is never silent', async () => {
  await withServer({ timeoutMs: 300 }, async (port) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    const started = Date.now();
    const closed = new Promise<number>((r) => s.on('close', () => r(Date.now() - started)));
    const drip = setInterval(() => s.write(' '), 50);
    s.on('connect', () => s.write('{"command":'));
    const ms = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
    clearInterval(drip);
    s.destroy();
    assert.ok(ms >= 0, 'still open after 5 s of trickling');
  });
});

test.run();
