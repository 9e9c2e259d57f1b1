import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { devConfig } from '../../src/app/devConfig';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { runConfiguredDaemon } from '../helpers/configuredDaemon';
import { freePort } from '../helpers/net';

/**
 * The daemon (`kabosu run`) mining simulated L3+ boards on its embedded test pool at a fixed
 * difficulty (4096, vardiff off): the pool's difficulty and the difficulty sums reach the :4028
 * `summary`/`pools` replies (real socket), /api/v1/status, /metrics and the MQTT `pools` and
 * `telemetry` topics, consistent with accepted shares x difficulty; Elapsed is whole seconds.
 */
const DIFF = 4096;

function ask(port: number, req: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(JSON.stringify(req)));
    s.setTimeout(20_000, () => s.destroy(new Error('no :4028 reply in 20 s')));
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(JSON.parse(Buffer.concat(got).toString().replace(/\0$/, ''))));
  });
}

function mqttOne(port: number, topic: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((res, rej) => execFile('mosquitto_sub', ['-p', String(port), '-h', '127.0.0.1', '-t', topic, '-C', '1', '-W', '10'], (e, o) => (e ? rej(e) : res(JSON.parse(o)))));
}

test('pool difficulty, difficulty sums and work utility in :4028, /api/v1/status, /metrics and MQTT', async () => {
  const k = new KabosuProcs('kabosu-poolfig-');
  try {
    const [poolPort, httpPort, apiPort, mqttPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const cfg = devConfig() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    cfg.device.id = 'poolfig';
    cfg.pools = [{ name: 'local', url: `stratum+tcp://127.0.0.1:${poolPort}`, user: 'w.1' }];
    cfg.testPool = { ...cfg.testPool, port: poolPort, difficulty: DIFF };
    cfg.api = { http: { enabled: true, host: '127.0.0.1', port: httpPort }, cgminer: { enabled: true, host: '127.0.0.1', port: apiPort } };
    cfg.telemetry.mqtt = { ...cfg.telemetry.mqtt, url: `mqtt://127.0.0.1:${mqttPort}`, intervalS: 1, broker: { ...cfg.telemetry.mqtt.broker, port: mqttPort } };
    const { statusWhen } = await runConfiguredDaemon(k, cfg, httpPort);
    const s = await statusWhen((x) => x.shares.accepted >= 6, 60_000);
    assert.ok(s.shares.accepted >= 6, `accepted shares: ${JSON.stringify(s.shares)}`);

    // /api/v1/status
    const p0 = s.pools[0];
    assert.is(p0.difficulty, DIFF);
    assert.is(p0.difficulty_accepted, p0.accepted * DIFF);
    assert.is(p0.last_share_difficulty, DIFF);
    // ms since epoch, as documented (it was the monotonic clock: the web wizard showed 1970)
    assert.ok(Math.abs(Date.now() - p0.last_share_at_ms) < 120_000, `last_share_at_ms ${p0.last_share_at_ms}`);
    assert.is(s.shares.difficulty_accepted, s.shares.accepted * DIFF);
    assert.ok(s.shares.difficulty_accepted > 0);

    // :4028 summary and pools (stock L3+ personality) over a real socket
    const r = await ask(apiPort, { command: 'summary+pools' });
    const sum = r.summary[0].SUMMARY[0];
    const pool = r.pools[0].POOLS[0];
    assert.ok(Number.isInteger(sum.Elapsed) && sum.Elapsed > 0, `Elapsed ${sum.Elapsed}`);
    assert.is(pool.Diff, '4.1K'); // cgminer's suffix_string, as the stock L3+ prints 65536 as "65.5K"
    assert.ok(pool.Accepted >= 6);
    assert.is(pool['Difficulty Accepted'], pool.Accepted * DIFF);
    assert.is(pool['Difficulty Rejected'], pool.Rejected * DIFF);
    assert.is(pool['Difficulty Stale'], pool.Stale * DIFF);
    assert.is(pool['Last Share Difficulty'], DIFF);
    assert.type(pool['Pool Rejected%'], 'number');
    assert.type(pool['Pool Stale%'], 'number');
    assert.is(sum['Difficulty Accepted'], sum.Accepted * DIFF);
    assert.is(sum['Difficulty Rejected'], sum.Rejected * DIFF);
    assert.is(sum['Difficulty Stale'], sum.Stale * DIFF);
    const wu = Math.round((((sum['Difficulty Accepted'] + sum['Difficulty Rejected']) * 60) / sum.Elapsed) * 100) / 100;
    assert.is(sum['Work Utility'], wu);
    assert.ok(sum['Work Utility'] > 0);
    assert.is(sum['Pool Rejected%'], sum.Rejected > 0 ? Math.round((sum.Rejected / (sum.Accepted + sum.Rejected)) * 1e6) / 1e4 : 0);
    const lcd = (await ask(apiPort, { command: 'lcd' })).LCD[0];
    assert.ok(Number.isInteger(lcd.Elapsed));
    assert.is(lcd['Last Share Difficulty'], DIFF);

    // /metrics
    const m = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(m, new RegExp(`^kabosu_pool_difficulty\\{pool="local"\\} ${DIFF}$`, 'm'));
    const acc = Number(/^kabosu_pool_share_difficulty_total\{pool="local",result="accepted"\} (\d+)$/m.exec(m)?.[1]);
    assert.ok(acc > 0 && acc % DIFF === 0, `accepted difficulty series: ${acc}`);

    // MQTT (retained pools, telemetry every second)
    const mp = await mqttOne(mqttPort, 'kabosu/poolfig/pools');
    assert.is(mp.pools[0].difficulty, DIFF);
    assert.ok(mp.pools[0].difficulty_accepted > 0);
    assert.is(mp.pools[0].difficulty_accepted, mp.pools[0].accepted * DIFF);
    assert.ok(mp.pools[0].work_utility > 0);
    const mt = await mqttOne(mqttPort, 'kabosu/poolfig/telemetry');
    assert.is(mt.pool_difficulty, DIFF);
    assert.is(mt.difficulty_accepted, mt.accepted * DIFF);
  } finally {
    await k.cleanup();
  }
});

test.run();
