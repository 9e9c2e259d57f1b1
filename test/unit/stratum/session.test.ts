/** StratumV1Session applying handler effects, against a scripted pool on a real socket (port 0), timers on a VirtualClock. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import pino from 'pino';
import { VirtualClock } from '../../../src/hal/clock';
import { StratumV1Session } from '../../../src/stratum';
import type { Job } from '../../../src/work';

const log = pino({ level: 'silent' });
const NOTIFY = (id: string) => ({ id: null, method: 'mining.notify', params: [id, '7dcf1304b04e79024066cd9481aa464e2fe17966e19edf6f33970e1fe0b60277', '01', '02', [], '00000002', '1b44dfdb', '53178f9b', true] });

interface Pool { port: number; conns: net.Socket[]; got: Array<Record<string, unknown>>; send(o: unknown): void; close(): Promise<void> }

async function scriptedPool(): Promise<Pool> {
  const conns: net.Socket[] = [];
  const got: Array<Record<string, unknown>> = [];
  const server = net.createServer((c) => {
    conns.push(c);
    c.setEncoding('utf8');
    let buf = '';
    c.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
        got.push(m);
        if (m.method === 'mining.subscribe') c.write(JSON.stringify({ id: m.id, result: [[['mining.notify', 'ab']], '01020304', 4], error: null }) + '\n');
        if (m.method === 'mining.authorize') c.write(JSON.stringify({ id: m.id, result: true, error: null }) + '\n');
      }
    });
    c.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port, conns, got,
    send: (o) => { for (const c of conns) if (!c.destroyed) c.write(JSON.stringify(o) + '\n'); },
    close: () => { for (const c of conns) c.destroy(); return new Promise((r) => server.close(() => r())); },
  };
}

function until<T>(fn: () => T | undefined | false, ms = 3000): Promise<T> {
  return new Promise((res, rej) => {
    const t0 = Date.now();
    const tick = () => { const v = fn(); if (v !== undefined && v !== false) return res(v); if (Date.now() - t0 > ms) return rej(new Error('timeout')); setTimeout(tick, 5); };
    tick();
  });
}

async function ready(pool: Pool, extra: Partial<ConstructorParameters<typeof StratumV1Session>[0]> = {}) {
  const clock = new VirtualClock();
  const s = new StratumV1Session({ url: `stratum+tcp://127.0.0.1:${pool.port}`, user: 'u', password: 'p', clock, logger: log, ...extra });
  const jobs: Job[] = [];
  s.events.on('job', (j) => jobs.push(j));
  s.start();
  await until(() => s.state === 'ready');
  return { s, clock, jobs };
}

test('set_extranonce mid-job: the job in hand keeps its extranonce; the next notify (same job id) takes the new one', async () => {
  const pool = await scriptedPool();
  const { s, jobs } = await ready(pool);
  pool.send(NOTIFY('j1'));
  await until(() => jobs.length === 1);
  pool.send({ id: null, method: 'mining.set_extranonce', params: ['a1a2a3a4a5', 8] });
  await until(() => s.extranonce2Size === 8);
  assert.is(jobs[0].extranonce1.toString('hex'), '01020304');
  assert.is(s.lastJob!.extranonce1.toString('hex'), '01020304');
  pool.send(NOTIFY('j1'));
  await until(() => jobs.length === 2);
  assert.equal([jobs[1].jobId, jobs[1].extranonce1.toString('hex'), jobs[1].extranonce2Size], ['j1', 'a1a2a3a4a5', 8]);
  await s.close(); await pool.close();
});

test('client.reconnect waits wait_seconds on the clock before reconnecting (port as string)', async () => {
  const pool = await scriptedPool();
  const pool2 = await scriptedPool();
  const { s, clock } = await ready(pool);
  pool.send({ id: null, method: 'client.reconnect', params: [null, String(pool2.port), 5] });
  await until(() => s.state === 'backoff');
  await new Promise((r) => setTimeout(r, 50));
  clock.advance(4999);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(pool2.conns.length, 0, 'reconnected before the wait');
  assert.is(s.state, 'backoff');
  clock.advance(1);
  await until(() => s.state === 'ready');
  assert.is(pool2.conns.length, 1);
  assert.is(s.currentEndpoint.port, pool2.port);
  assert.ok(pool2.got.some((m) => m.method === 'mining.subscribe' && JSON.stringify(m.params).includes('"ab"')), 'resumes the session id');
  await s.close(); await pool.close(); await pool2.close();
});

test('client.reconnect to another host is refused by default and followed when allowRedirectHost', async () => {
  const pool = await scriptedPool();
  const { s } = await ready(pool);
  pool.send({ id: null, method: 'client.reconnect', params: ['localhost', pool.port, 0] });
  pool.send({ id: 5, method: 'client.get_version', params: [] });
  await until(() => pool.got.some((m) => m.id === 5));
  assert.is(s.state, 'ready');
  assert.is(s.currentEndpoint.host, '127.0.0.1');
  assert.is(pool.conns.length, 1);
  await s.close();
  const b = await ready(pool, { allowRedirectHost: true });
  pool.send({ id: null, method: 'client.reconnect', params: ['localhost', pool.port, 0] });
  await until(() => b.s.currentEndpoint.host === 'localhost');
  b.clock.advance(0);
  await until(() => b.s.state === 'ready');
  assert.is(pool.conns.length, 3);
  await b.s.close(); await pool.close();
});

test('bad params: counted, logged, answered with an error when the request had an id; session stays ready', async () => {
  const pool = await scriptedPool();
  const { s } = await ready(pool);
  pool.send({ id: 77, method: 'client.show_message', params: [{ x: 1 }] });
  pool.send({ id: null, method: 'mining.set_difficulty', params: [-3] });
  pool.send({ id: null, method: '__proto__', params: [] });
  pool.send({ id: 78, method: 'client.get_version', params: [] });
  await until(() => pool.got.some((m) => m.id === 78));
  const err = pool.got.find((m) => m.id === 77)!;
  assert.equal([err.result, (err.error as unknown[])[0]], [null, 20]);
  assert.match(String((err.error as unknown[])[1]), /^client\.show_message: text/);
  assert.equal([s.stats.badParams, s.stats.malformed, s.stats.unknownMethods], [2, 2, 1]);
  assert.is(s.nextDifficulty, 1);
  assert.is(s.state, 'ready');
  await s.close(); await pool.close();
});

test.run();
