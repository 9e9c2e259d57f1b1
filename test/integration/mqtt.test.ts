/** Against a real mosquitto on a free loopback port, with mosquitto_sub/pub as independent clients. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, execFile, type ChildProcess } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { generateKeyPairSync, sign } from 'crypto';
import { MqttPublisher } from '../../src/telemetry/mqtt/client';
import { control } from '../unit/telemetry/fixture';
import Ajv from 'ajv';
import { SCHEMA_BY_TOPIC } from '../../src/telemetry/mqtt/schemas';
import { freePort } from '../helpers/net';

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const validators = SCHEMA_BY_TOPIC.map(([re, s]) => [re, ajv.compile(s)] as const);
/** Every "topic payload" line received must match its topic's schema. */
function validateLines(lines: string[]): number {
  let n = 0;
  for (const l of lines) {
    const i = l.indexOf(' ');
    const topic = l.slice(0, i);
    const v = validators.find(([re]) => re.test(topic));
    if (!v) continue;
    const ok = v[1](JSON.parse(l.slice(i + 1)));
    assert.ok(ok, `${topic}: ${JSON.stringify(v[1].errors)}`);
    n++;
  }
  return n;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let port = 0;
let broker: ChildProcess | null = null;
const dir = mkdtempSync(join(tmpdir(), 'kbs-mqtt-'));

async function startBroker(): Promise<void> {
  writeFileSync(join(dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  broker = spawn('mosquitto', ['-c', join(dir, 'm.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) { if (await pub('kbs/probe', 'x').then(() => true, () => false)) return; await sleep(100); }
  throw new Error('mosquitto did not start');
}
async function stopBroker(): Promise<void> { const b = broker; broker = null; if (!b) return; const done = new Promise((r) => b.once('exit', r)); b.kill('SIGTERM'); await done; }
function pub(topic: string, msg: string, extra: string[] = []): Promise<void> {
  return new Promise((res, rej) => execFile('mosquitto_pub', ['-p', String(port), '-h', '127.0.0.1', '-t', topic, '-m', msg, ...extra], (e) => (e ? rej(e) : res())));
}
/** Collects `count` messages (-v: "topic payload") within timeoutS. */
function sub(topic: string, count: number, timeoutS = 5, extra: string[] = []): Promise<string[]> {
  return new Promise((res) => execFile('mosquitto_sub', ['-p', String(port), '-h', '127.0.0.1', '-t', topic, '-v', '-C', String(count), '-W', String(timeoutS), ...extra], (_e, out) => res(out.split('\n').filter(Boolean))));
}
async function until(f: () => boolean, ms = 5000): Promise<void> { const end = Date.now() + ms; while (!f()) { if (Date.now() > end) throw new Error('timeout'); await sleep(20); } }

test.before(async () => { port = await freePort(); await startBroker(); });
test.after(async () => { await stopBroker(); });

const pubOpts = (over = {}) => ({ url: `mqtt://127.0.0.1:${port}`, baseTopic: 'kabosu', deviceId: 'm1', deviceName: 'Miner 1', intervalS: 60, qos: 1 as const, commands: ['mining', 'identify'], reconnectMs: 200, ...over });

test('retained status, telemetry, chains and HA discovery are there for a late subscriber', async () => {
  const p = new MqttPublisher(pubOpts(), control());
  p.start();
  await until(() => p.connected);
  await sleep(200);
  const status = await sub('kabosu/m1/status', 1);
  assert.equal(status, ['kabosu/m1/status online']);
  const tel = await sub('kabosu/m1/telemetry', 1);
  const body = JSON.parse(tel[0].slice('kabosu/m1/telemetry '.length));
  assert.is(body.v, 1); assert.is(body.hashrate_ghs, 0.504); assert.is(body.power_w, 800);
  assert.is((await sub('kabosu/m1/chains/+', 4)).length, 4);
  const pools = await sub('kabosu/m1/pools', 1);
  assert.not.match(pools[0], /pw@/);
  const disc = await sub('homeassistant/+/m1/+/config', 14);
  assert.is(disc.length, 14);
  assert.is(validateLines([...tel, ...pools, ...disc, ...(await sub('kabosu/m1/chains/+', 4))]), 20);
  const sw = JSON.parse(disc.find((l) => l.startsWith('homeassistant/switch/m1/mining/config'))!.split(' ').slice(1).join(' '));
  assert.is(sw.availability_topic, 'kabosu/m1/status'); assert.is(sw.unique_id, 'm1_mining'); assert.is(sw.command_topic, 'kabosu/m1/cmd/mining');
  await p.stop();
  assert.equal(await sub('kabosu/m1/status', 1), ['kabosu/m1/status offline']);
});

test('command round trips: MQTT 5 response topic + correlation data, reply/<name>, refusal with reason', async () => {
  const seen: string[] = [];
  const p = new MqttPublisher(pubOpts(), control({ pause: async (r) => (seen.push(r), 'paused') }));
  p.start();
  await until(() => p.connected);
  await sleep(200);
  // MQTT 5 via mosquitto_pub -D; response read on our own response topic.
  const r1 = sub('me/resp', 1, 5, ['-V', 'mqttv5']);
  await sleep(200);
  await pub('kabosu/m1/cmd/mining', '{"on":false}', ['-V', 'mqttv5', '-D', 'publish', 'response-topic', 'me/resp', '-D', 'publish', 'correlation-data', 'abc']);
  const got = await r1;
  assert.equal(JSON.parse(got[0].slice('me/resp '.length)), { status: 'ok', data: 'paused' });
  assert.equal(seen, ['mqtt']);
  // 3.1.1 client: reply/<name> with transaction echoed; identify is allowed but not plugged in.
  const r2 = sub('kabosu/m1/reply/#', 2, 5);
  await sleep(200);
  await pub('kabosu/m1/cmd/identify', '{"seconds":5,"transaction":"t1"}');
  await pub('kabosu/m1/cmd/restart', '{}');
  const replies = (await r2).map((l) => [l.split(' ')[0], JSON.parse(l.slice(l.indexOf(' ') + 1))]);
  assert.is(validateLines(await r2), 2);
  const byTopic = Object.fromEntries(replies);
  assert.is(byTopic['kabosu/m1/reply/identify'].code, 'KBS_E_NOT_AVAILABLE');
  assert.is(byTopic['kabosu/m1/reply/identify'].transaction, 't1');
  assert.is(byTopic['kabosu/m1/reply/restart'].code, 'KBS_E_TELEMETRY_UNAUTHORISED');
  assert.match(byTopic['kabosu/m1/reply/restart'].error, /allow-list/);
  await p.stop();
});

test('events raised on the miner are published on events (QoS 1, not retained), schema-valid', async () => {
  const c = control();
  const p = new MqttPublisher(pubOpts({ deviceId: 'e1' }), c);
  p.start();
  await until(() => p.connected);
  const got = sub('kabosu/e1/events', 2, 5);
  await sleep(300);
  c.raise({ at_ms: 1, severity: 'critical', source: 'interlock', kind: 'interlock_trip', message: 'board 1 over temperature', data: { board: 1 } });
  c.raise({ at_ms: 2, severity: 'info', source: 'pools', kind: 'pool_failover', message: 'to backup' });
  const lines = await got;
  assert.is(validateLines(lines), 2);
  assert.equal(lines.map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)).kind), ['interlock_trip', 'pool_failover']);
  assert.equal(await sub('kabosu/e1/events', 1, 1), [], 'events are not retained');
  await p.stop();
});

test('signed commands: accepted once, a replay and an unsigned one refused with reasons', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  const seen: string[] = [];
  const p = new MqttPublisher(pubOpts({ deviceId: 's1', publicKeys: [raw] }), control({ identify: async (s) => (seen.push(String(s)), 'blinking') }));
  p.start();
  await until(() => p.connected);
  const body = { seconds: 7, ts: Date.now(), nonce: 'n-12345678', transaction: 'a' };
  const signed = JSON.stringify({ ...body, sig: sign(null, Buffer.from(`identify\n${JSON.stringify(body)}`), privateKey).toString('base64') });
  const r = sub('kabosu/s1/reply/identify', 3, 5);
  await sleep(300);
  await pub('kabosu/s1/cmd/identify', signed);
  await sleep(100);
  await pub('kabosu/s1/cmd/identify', signed);
  await sleep(100);
  await pub('kabosu/s1/cmd/identify', '{"seconds":7}');
  const replies = (await r).map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)));
  assert.is(replies[0].status, 'ok'); assert.is(replies[0].data, 'blinking');
  assert.match(replies[1].error, /replayed/);
  assert.match(replies[2].error, /must be signed/);
  assert.equal(seen, ['7']);
  await p.stop();
});

test('LWT offline after kill -9', async () => {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'mqttChild.ts'), `mqtt://127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res) => child.stdout!.once('data', () => res()));
  assert.equal(await sub('kabosu/child/status', 1), ['kabosu/child/status online']);
  const off = sub('kabosu/child/status', 1, 5, ['-R']);
  await sleep(200);
  child.kill('SIGKILL');
  assert.equal(await off, ['kabosu/child/status offline']);
});

test('telemetry published while the broker is down is delivered in order after a restart', async () => {
  const p = new MqttPublisher(pubOpts({ deviceId: 'q1', offlineQueue: 100, reconnectMs: 1500 }), control());
  p.start();
  await until(() => p.connected);
  await stopBroker();
  await until(() => !p.connected);
  for (let i = 0; i < 5; i++) p['send']('kabosu/q1/seq', String(i), 1, false, true);
  assert.is(p.stats.queued, 5);
  // Persistent subscriber session across the restart is not possible (persistence false), so subscribe before reconnect.
  await startBroker();
  const got = sub('kabosu/q1/seq', 5, 8);
  await until(() => p.connected, 8000);
  const seq = await got;
  assert.equal(seq.map((l) => l.split(' ')[1]), ['0', '1', '2', '3', '4']);
  await p.stop();
});

test.run();
