import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { devConfig } from '../../src/app/devConfig';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { runConfiguredDaemon } from '../helpers/configuredDaemon';
import { freePort } from '../helpers/net';

/**
 * The daemon (`kabosu run`, simulated L3+ on its test pool) with economics on, prices from a
 * local HTTP JSON server (JSON pointers per field), a time-of-use tariff, a wall meter over MQTT
 * and margin curtailment: the report in /api/v1/status, /metrics, the :4028 kabosu personality
 * and `kabosu profit`; malformed prices degrade the report, never the miner; prices going to zero
 * pause mining with the numbers logged, and their recovery resumes it.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
const PRICES = { ltc: { difficulty: 40_000, reward: 6.25, usd: 80 }, doge: { difficulty: 20_000, reward: 10_000, usd: 0.15 }, pool: { fee_pct: 1 } };

function ask(port: number, req: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(JSON.stringify(req)));
    s.setTimeout(20_000, () => s.destroy(new Error('no :4028 reply in 20 s')));
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(JSON.parse(Buffer.concat(got).toString().replace(/\0$/, ''))));
  });
}

function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => execFile(process.execPath, [bin, ...args], { cwd, env }, (e, out, err) => res({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err })));
}

test('profit from a local price server in status, /metrics, :4028 and the CLI; bad prices degrade, zero prices curtail, recovery resumes', async () => {
  const k = new KabosuProcs('kabosu-econ-');
  let body = JSON.stringify(PRICES);
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const pricePort = (server.address() as { port: number }).port;
  try {
    const [poolPort, httpPort, apiPort, mqttPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const cfg = devConfig() as Record<string, any>;
    cfg.device.id = 'econ';
    cfg.pools = [{ name: 'local', url: `stratum+tcp://127.0.0.1:${poolPort}`, user: 'w.1' }];
    cfg.testPool = { ...cfg.testPool, port: poolPort, difficulty: 1024 };
    cfg.api = { http: { enabled: true, host: '127.0.0.1', port: httpPort }, cgminer: { enabled: true, host: '127.0.0.1', port: apiPort, personality: 'kabosu' } };
    cfg.telemetry.mqtt = { ...cfg.telemetry.mqtt, url: `mqtt://127.0.0.1:${mqttPort}`, intervalS: 1, broker: { ...cfg.telemetry.mqtt.broker, port: mqttPort } };
    cfg.economics = {
      enabled: true,
      intervalS: 1,
      market: {
        sources: [{ name: 'prices', kind: 'http', url: `http://127.0.0.1:${pricePort}/v1/market`, refreshS: 10, fields: { ltcDifficulty: '/ltc/difficulty', ltcReward: '/ltc/reward', ltcPrice: '/ltc/usd', dogeDifficulty: '/doge/difficulty', dogeReward: '/doge/reward', dogePrice: '/doge/usd', poolFeePct: '/pool/fee_pct' } }],
      },
      // every hour of the day in one window at 0.12, so the test does not depend on when it runs
      tariff: { kind: 'schedule', pricePerKwh: 0.3, schedule: [{ from: '00:00', to: '00:00', pricePerKwh: 0.12 }] },
      wallMeter: { topic: 'home/meter/miner', maxAgeS: 600 },
      // paying prices give a margin of dollars a day; zero prices give minus the cost (about -3.6/day at the meter's 1234.5 W)
      curtail: { enabled: true, action: 'pause', marginBelowPerDay: -1, resumeAbovePerDay: 0, minHoldS: 0 },
    };
    const { statusWhen } = await runConfiguredDaemon(k, cfg, httpPort);
    let s = await statusWhen((x) => x.economics?.now?.revenue_per_day > 0 && x.economics.now.power_w > 0, 90_000);
    const e = s.economics;
    assert.ok(e, `status.economics absent: ${k.daemonOut.slice(-3000)}`);
    assert.ok(e.now.accepted_hps > 0 && e.now.power_w > 0, `accepted/power ${JSON.stringify(e.now)}`);
    // revenue from the accepted hashrate and the served market values: H*86400*R/(D*2^32) per coin, less 1 %
    const coins = (d: number, r: number) => (e.now.accepted_hps * 86_400 * r) / (d * 2 ** 32) * 0.99;
    const rev = coins(40_000, 6.25) * 80 + coins(20_000, 10_000) * 0.15;
    assert.ok(Math.abs(e.now.revenue_per_day - rev) / rev < 1e-9, `revenue ${e.now.revenue_per_day} vs ${rev}`);
    assert.ok(Math.abs(e.now.cost_per_day - (e.now.power_w * 24 * 0.12) / 1000) < 1e-9);
    assert.ok(Math.abs(e.now.margin_per_day - (e.now.revenue_per_day - e.now.cost_per_day)) < 1e-6, JSON.stringify(e.now));
    assert.is(e.tariff.price_per_kwh, 0.12);
    assert.is(e.market.ltcPrice.source, 'http:prices');
    assert.is(e.now.quality, 'ok');
    assert.ok(['pmbus', 'model'].includes(e.power.source) && e.power.uncertainty_pct > 0, JSON.stringify(e.power));
    assert.ok(hits >= 1);

    // /metrics
    const m = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(m, /^kabosu_economics_margin_per_day\{currency="USD"\} -?[0-9.e+-]+$/m);
    assert.match(m, /^kabosu_economics_curtailed 0$/m);
    assert.match(m, /^kabosu_economics_market_input_ok\{field="ltcPrice"\} 1$/m);

    // :4028, kabosu personality
    const st = await ask(apiPort, { command: 'stats' });
    const row = st.ECONOMICS?.[0];
    assert.ok(row, `no ECONOMICS section: ${Object.keys(st)}`);
    assert.is(row.Currency, 'USD');
    assert.type(row['Margin/Day'], 'number');

    // kabosu profit [--json] against the running daemon
    const where = ['--config', join(k.dir, 'config.json'), '--data-dir', join(k.dir, 'data')];
    const pj = await run(k.bin, ['profit', '--json', ...where], k.dir, k.env);
    assert.is(pj.code, 0, pj.err);
    const cli = JSON.parse(pj.out);
    assert.type(cli.now.revenue_per_day, 'number');
    assert.is(cli.currency, 'USD');
    const pt = await run(k.bin, ['profit', ...where], k.dir, k.env);
    assert.is(pt.code, 0, pt.err);
    assert.match(pt.out, /^profit \(USD\/day\): revenue [0-9.]+ - cost [0-9.]+ = margin -?[0-9.]+/m);
    assert.match(pt.out, /break-even electricity price/);

    // a wall meter over MQTT becomes the power source
    // As the embedded broker's operator (it refuses anonymous publishes): the login in the data dir.
    const login = ['-u', 'kabosu', '-P', readFileSync(join(k.dir, 'data', 'mqtt-broker-password'), 'utf8').trim()];
    await new Promise<void>((res, rej) => execFile('mosquitto_pub', ['-p', String(mqttPort), '-h', '127.0.0.1', ...login, '-t', 'home/meter/miner', '-m', '{"power": 1234.5}'], (err) => (err ? rej(err) : res())));
    s = await statusWhen((x) => x.economics?.power?.source === 'wall-meter', 15_000);
    assert.is(s.economics.power.source, 'wall-meter');
    assert.is(s.economics.power.total_w, 1234.5);
    assert.is(s.economics.now.power_w, 1234.5);

    // malformed prices: the report says so, the miner goes on mining
    body = '{"ltc": {"usd": "a lot"';
    s = await statusWhen((x) => (x.economics?.market_problems ?? []).some((p: any) => /not JSON/.test(p.message)), 25_000);
    assert.ok(s.economics.market_problems.some((p: any) => p.source === 'http:prices'), JSON.stringify(s.economics.market_problems));
    assert.is(s.state, 'mining');
    assert.is(s.economics.now.quality, 'ok', 'the last good values are still within max age');

    // prices at zero: the margin now falls below -1/day -> curtail (pause), with the numbers in the log
    body = JSON.stringify({ ...PRICES, ltc: { ...PRICES.ltc, usd: 0 }, doge: { ...PRICES.doge, usd: 0 } });
    s = await statusWhen((x) => x.state === 'paused', 30_000);
    assert.is(s.state, 'paused', `not curtailed: ${JSON.stringify(s.economics.policy)} ${JSON.stringify(s.economics.now)}`);
    assert.is(s.economics.policy.curtailed, true);
    assert.is(s.economics.policy.reason, 'margin');
    const la = s.economics.policy.last_action;
    assert.match(la.message, /^curtailing: margin -[0-9.]+\/day below -1\/day at 0.12\/kWh/);
    assert.ok(la.numbers.margin_now_per_day < -1 && la.numbers.price_per_kwh === 0.12, JSON.stringify(la.numbers));
    await k.waitFor(/curtailing: margin/, 5000);

    // prices back: the expected margin at the last running point clears the resume threshold -> resume
    body = JSON.stringify(PRICES);
    s = await statusWhen((x) => x.state !== 'paused' && /^resuming/.test(x.economics?.policy?.last_action?.message ?? ''), 40_000);
    assert.is.not(s.state, 'paused');
    assert.match(s.economics.policy.last_action.message, /^resuming: expected margin [0-9.]+\/day at or above 0\/day/, JSON.stringify(s.economics.policy) + k.daemonOut.split('\n').filter((l) => /econom/.test(l)).slice(-8).join('\n'));
    const m2 = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(m2, /^kabosu_economics_curtailed 0$/m);
  } finally {
    if (process.env.ECON_DEBUG) require('node:fs').writeFileSync('/tmp/kb-econ/out.log', k.daemonOut);
    server.close();
    await k.cleanup();
  }
});

test.run();
