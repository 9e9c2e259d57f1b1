import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import { devConfig } from '../../src/app/devConfig';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { runConfiguredDaemon } from '../helpers/configuredDaemon';
import { freePort } from '../helpers/net';

/**
 * The daemon mining on a pool that rejects its first 1,000 shares, each with a different text
 * (as pools do that put the share's difficulty or the job id in the message), then accepts: the
 * reject counts in /api/v1/status, :4028, /metrics and MQTT are keyed by a bounded taxonomy with
 * the counts the pool meant, and the last raw text is reported (truncated) per pool.
 */
const TAXONOMY = ['stale', 'duplicate', 'low_difficulty', 'job_not_found', 'unauthorized', 'other'];
const REJECTS = 1000;
const LONG_TAIL = ' x'.repeat(200);

/** The i-th reject: [code, text] and the class it belongs to. */
function rejectFor(i: number): { code: number; text: string; cls: string } {
  const tail = i === REJECTS - 1 ? LONG_TAIL : '';
  switch (i % 6) {
    case 0: return { code: 23, text: `low difficulty share of ${(0.7311 * (i + 1)).toFixed(6)}${tail}`, cls: 'low_difficulty' };
    case 1: return { code: 21, text: `Stale share: job ${i.toString(16)} is from the previous block${tail}`, cls: 'stale' };
    case 2: return { code: 22, text: `Duplicate share #${i}${tail}`, cls: 'duplicate' };
    case 3: return { code: 21, text: `Job not found (id ${i.toString(16)})${tail}`, cls: 'job_not_found' };
    case 4: return { code: 24, text: `Unauthorized worker w.${i}${tail}`, cls: 'unauthorized' };
    default: return { code: 20, text: `Other/Unknown: nonce ${i} refused${tail}`, cls: 'other' };
  }
}

/** A Stratum V1 pool that hands out one job and judges nothing: rejects per rejectFor, then accepts. */
function rejectingPool(port: number): Promise<{ server: net.Server; sent: () => number }> {
  let n = 0;
  const server = net.createServer((sock) => {
    sock.setEncoding('utf8');
    let buf = '';
    const send = (o: unknown) => sock.write(JSON.stringify(o) + '\n');
    sock.on('error', () => undefined);
    sock.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(buf.slice(0, i)) as { id: number; method: string };
        buf = buf.slice(i + 1);
        if (m.method === 'mining.subscribe') send({ id: m.id, result: [[['mining.notify', 'ab']], '0a0b0c0d', 4], error: null });
        else if (m.method === 'mining.authorize') {
          send({ id: m.id, result: true, error: null });
          send({ id: null, method: 'mining.set_difficulty', params: [32] });
          const ntime = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
          send({ id: null, method: 'mining.notify', params: ['1', '11'.repeat(32), '01'.repeat(42), '02'.repeat(30), [], '20000000', '1e0ffff0', ntime, true] });
        } else if (m.method === 'mining.submit') {
          if (n < REJECTS) { const r = rejectFor(n++); send({ id: m.id, result: null, error: [r.code, r.text, null] }); }
          else send({ id: m.id, result: true, error: null });
        } else if (m.id !== null && m.id !== undefined) send({ id: m.id, result: true, error: null });
      }
    });
  });
  return new Promise((res) => server.listen(port, '127.0.0.1', () => res({ server, sent: () => n })));
}

function ask(port: number, req: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(JSON.stringify(req)));
    s.setTimeout(20_000, () => s.destroy(new Error('no :4028 reply in 20 s')));
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(JSON.parse(Buffer.concat(got).toString().replace(/\0$/, ''))));
  });
}

test('1,000 rejects with 1,000 different texts: counts by a bounded taxonomy, last text kept per pool', async () => {
  const k = new KabosuProcs('kabosu-rejects-');
  const [poolPort, httpPort, apiPort, mqttPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const pool = await rejectingPool(poolPort);
  try {
    const cfg = devConfig() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    cfg.device.id = 'rejects';
    cfg.pools = [{ name: 'picky', url: `stratum+tcp://127.0.0.1:${poolPort}`, user: 'w.1' }];
    cfg.testPool = { ...cfg.testPool, enabled: false };
    cfg.api = { http: { enabled: true, host: '127.0.0.1', port: httpPort }, cgminer: { enabled: true, host: '127.0.0.1', port: apiPort, personality: 'kabosu' } };
    cfg.telemetry.mqtt = { ...cfg.telemetry.mqtt, url: `mqtt://127.0.0.1:${mqttPort}`, intervalS: 1, broker: { ...cfg.telemetry.mqtt.broker, port: mqttPort } };
    const { statusWhen } = await runConfiguredDaemon(k, cfg, httpPort);
    // Replies come in order: an accepted share after the 1,000th reject means every reject was counted.
    const s = await statusWhen((x) => x.shares.accepted >= 3, 90_000);
    assert.ok(s.shares.accepted >= 3, `pool sent ${pool.sent()} rejects; daemon: ${JSON.stringify(s.shares.rejected).slice(0, 400)}`);

    const expected: Record<string, number> = {};
    for (let i = 0; i < REJECTS; i++) { const c = rejectFor(i).cls; expected[c] = (expected[c] ?? 0) + 1; }
    const last = rejectFor(REJECTS - 1);
    const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v > 0));

    // /api/v1/status: miner-wide and per pool
    assert.ok(Object.keys(s.shares.rejected).every((key) => TAXONOMY.includes(key)), `keys: ${Object.keys(s.shares.rejected).slice(0, 20)}`);
    assert.equal(nonZero(s.shares.rejected), expected);
    const p0 = s.pools[0];
    assert.is(p0.rejected, REJECTS);
    assert.ok(Object.keys(p0.rejected_reasons).every((key) => TAXONOMY.includes(key)));
    assert.equal(nonZero(p0.rejected_reasons), expected);
    assert.is(p0.last_reject.code, last.code);
    assert.is(p0.last_reject.class, 'job_not_found');
    assert.ok(p0.last_reject.text.length <= 160, `truncated: ${p0.last_reject.text.length}`);
    assert.is(p0.last_reject.text.replace(/…$/, ''), last.text.slice(0, p0.last_reject.text.length - 1));
    assert.is(s.shares.last_reject.text, p0.last_reject.text);

    // :4028 (kabosu personality carries the last text)
    const pools = (await ask(apiPort, { command: 'pools' })).POOLS;
    assert.is(pools[0].Rejected, REJECTS);
    assert.is(pools[0]['Last Reject'], p0.last_reject.text);
    assert.is(pools[0].Stale, expected.stale);
    const sum = (await ask(apiPort, { command: 'summary' })).SUMMARY[0];
    assert.is(sum.Rejected, REJECTS);
    assert.is(sum['Difficulty Rejected'], REJECTS * 32);
    assert.is(sum['Difficulty Stale'], expected.stale * 32);

    // /metrics: the shares_total reasons stay within the taxonomy
    const m = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const reasons = new Set([...m.matchAll(/^kabosu_shares_total\{result="rejected",reason="([^"]*)"\}/gm)].map((x) => x[1]));
    assert.ok([...reasons].every((r) => TAXONOMY.includes(r)), `reasons: ${[...reasons]}`);
    assert.ok(reasons.size >= 6, `reasons: ${[...reasons]}`);

    // MQTT pools topic (the retained message may predate the last reject: take the next one too)
    const lines = await new Promise<string[]>((res, rej) => execFile('mosquitto_sub', ['-p', String(mqttPort), '-h', '127.0.0.1', '-t', 'kabosu/rejects/pools', '-C', '2', '-W', '10'], (e, o) => (e ? rej(e) : res(o.trim().split('\n')))));
    const mp = JSON.parse(lines[lines.length - 1]);
    assert.equal(nonZero(mp.pools[0].rejected_reasons), expected);
    assert.is(mp.pools[0].last_reject.text, p0.last_reject.text);
  } finally {
    await k.cleanup();
    pool.server.close();
  }
});

test.run();
