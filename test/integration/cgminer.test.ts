import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from 'node:net';
import pino from 'pino';
import { CgminerApiServer } from '../../src/api/cgminer/server';
import { l3Status, controlFor } from '../unit/api/cgminerFixture';

/** The :4028 server over real TCP (port 0): framing, NUL, one request per connection, limits. */
const log = pino({ level: 'silent' });

function exchange(port: number, chunks: (string | Buffer)[], opts: { gapMs?: number; end?: boolean } = {}): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    s.on('close', () => resolve({ data: Buffer.concat(got), closed: true }));
    s.on('connect', async () => {
      for (const c of chunks) {
        if (s.destroyed) break;
        s.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (opts.end) s.end();
    });
  });
}

async function withServer(o: Partial<ConstructorParameters<typeof CgminerApiServer>[0]>, fn: (port: number, calls: string[]) => Promise<void>) {
  const { control, calls } = controlFor(l3Status({ thermal: true }));
  const server = new CgminerApiServer({ host: '127.0.0.1', port: 0, personality: 'antminer-l3plus', allow: ['127.0.0.1'], control, log, timeoutMs: 300, ...o });
  const { port } = await server.listen();
  try {
    await fn(port, calls);
  } finally {
    await server.close();
  }
}

test('JSON request without newline or half-close: NUL-terminated JSON reply, then close', async () => {
  await withServer({}, async (port) => {
    const { data, closed } = await exchange(port, ['{"command":"summary+stats"}']);
    assert.ok(closed);
    assert.is(data[data.length - 1], 0);
    const r = JSON.parse(data.subarray(0, -1).toString());
    assert.is(r.summary[0].STATUS[0].STATUS, 'S');
    assert.is(r.stats[0].STATS[1].ID, 'L30');
  });
});

test('a request split over several packets is answered once complete', async () => {
  await withServer({}, async (port) => {
    const { data } = await exchange(port, ['{"comm', 'and":"ver', 'sion"}'], { gapMs: 20 });
    assert.is(JSON.parse(data.subarray(0, -1).toString()).VERSION[0].Type, 'Antminer L3+');
  });
});

test('text form gets a text reply', async () => {
  await withServer({}, async (port) => {
    const { data } = await exchange(port, ['pools']);
    assert.match(data.toString(), /^STATUS=S,When=\d+,Code=7,Msg=2 Pool\(s\),Description=kabosu [^|]*\|POOLS,POOL=0,/);
  });
});

test('privileged over TCP: allowed from 127.0.0.1, denied when not in the allow-list; kabosu token', async () => {
  await withServer({}, async (port, calls) => {
    const { data } = await exchange(port, ['{"command":"switchpool","parameter":"1"}']);
    assert.is(JSON.parse(data.subarray(0, -1).toString()).STATUS[0].Code, 27);
    assert.equal(calls, ['switch backup']);
  });
  await withServer({ allow: ['10.0.0.0/8'] }, async (port, calls) => {
    const { data } = await exchange(port, ['{"command":"switchpool","parameter":"1"}']);
    assert.is(JSON.parse(data.subarray(0, -1).toString()).STATUS[0].Code, 45);
    assert.equal(calls, []);
  });
  await withServer({ personality: 'kabosu', token: 's3cret' }, async (port, calls) => {
    const no = await exchange(port, ['{"command":"switchpool","parameter":"1"}']);
    assert.is(JSON.parse(no.data.subarray(0, -1).toString()).STATUS[0].Code, 45);
    assert.not.ok(no.data.toString().includes('s3cret'));
    const yes = await exchange(port, ['{"command":"switchpool","parameter":"1","token":"s3cret"}']);
    assert.is(JSON.parse(yes.data.subarray(0, -1).toString()).STATUS[0].Code, 27);
    assert.equal(calls, ['switch backup']);
  });
});

test('limits: a silent client and an incomplete JSON are cut off; oversize input is dropped; garbage gets an E', async () => {
  await withServer({}, async (port) => {
    const silent = await exchange(port, []);
    assert.equal([silent.closed, silent.data.length], [true, 0]);
    const partial = await exchange(port, ['{"command":"sum']);
    assert.equal([partial.closed, partial.data.length], [true, 0]);
    const partialEnded = await exchange(port, ['{"command":"sum'], { end: true });
    assert.is(JSON.parse(partialEnded.data.subarray(0, -1).toString()).STATUS[0].Code, 23);
    const huge = await exchange(port, ['{"command":"' + 'a'.repeat(20000)]);
    assert.equal([huge.closed, huge.data.length], [true, 0]);
    const bin = await exchange(port, [Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7c])]);
    assert.match(bin.data.toString(), /^STATUS=E,/);
  });
});

test('read-only replies are reused within one second only; commands are never cached', async () => {
  const st = l3Status();
  const { control, calls } = controlFor(st);
  let now = 100;
  const server = new CgminerApiServer({ host: '127.0.0.1', port: 0, personality: 'antminer-l3plus', allow: ['127.0.0.1'], control, log, nowS: () => now });
  const { port } = await server.listen();
  try {
    const up = async () => JSON.parse((await exchange(port, ['{"command":"summary"}'])).data.subarray(0, -1).toString()).SUMMARY[0].Elapsed;
    assert.is(await up(), 3600);
    st.uptime_s = 3601;
    assert.is(await up(), 3600);
    now = 101;
    assert.is(await up(), 3601);
    await exchange(port, ['{"command":"switchpool","parameter":"0"}']);
    await exchange(port, ['{"command":"switchpool","parameter":"0"}']);
    assert.equal(calls, ['switch main', 'switch main']);
  } finally {
    await server.close();
  }
});

test('200 concurrent clients all get complete replies', async () => {
  await withServer({}, async (port) => {
    const replies = await Promise.all(Array.from({ length: 200 }, () => exchange(port, ['{"command":"summary"}'])));
    for (const r of replies) assert.is(JSON.parse(r.data.subarray(0, -1).toString()).SUMMARY.length, 1);
  });
});

test.run();
