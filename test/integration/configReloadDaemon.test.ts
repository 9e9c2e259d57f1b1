/**
 * Config hot reload of the telemetry section in the daemon (a process, embedded MQTT broker):
 * an edit of telemetry.mqtt (topic prefix, interval) on disk is really applied (telemetry comes
 * under the new prefix, no longer under the old one) and the log says which component applied
 * it; a change nobody can apply live (the embedded broker's port) is logged "not applied until
 * restart" instead of "applied".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';

const p = new KabosuProcs('kabosu-reloadd-');
const cfgPath = join(p.dir, 'config.json');
const dataDir = join(p.dir, 'data');
let mqttPort = 0;
let cfg: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `fresh`: skip retained messages (telemetry is retained: the old prefix keeps its last one). */
/** As the operator (the embedded broker refuses anonymous publishes): the password file in the data dir. */
const pub = (topic: string, msg: string): Promise<void> =>
  new Promise((res, rej) => execFile('mosquitto_pub', ['-p', String(mqttPort), '-h', '127.0.0.1', '-u', 'kabosu', '-P', readFileSync(join(dataDir, 'mqtt-broker-password'), 'utf8').trim(), '-t', topic, '-m', msg], (e) => (e ? rej(e) : res())));
const sub = (topic: string, count: number, timeoutS: number, fresh = false): Promise<string[]> =>
  new Promise((res) => execFile('mosquitto_sub', ['-p', String(mqttPort), '-h', '127.0.0.1', '-t', topic, '-v', '-C', String(count), '-W', String(timeoutS), ...(fresh ? ['-R'] : [])], (_e, o) => res(o.split('\n').filter(Boolean))));

function save(c: unknown): void {
  writeFileSync(`${cfgPath}.tmp`, JSON.stringify(c, null, 2));
  renameSync(`${cfgPath}.tmp`, cfgPath);
}

/** The first JSON log line with this msg written after `from`. */
async function logLine(msg: RegExp, from: number, ms: number): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  for (;;) {
    const line = p.daemonOut.slice(from).split('\n').find((l) => msg.test(l));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (Date.now() > end) throw new Error(`no ${msg} within ${ms} ms:\n${p.daemonOut.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.before(async () => {
  mqttPort = await freePort();
  cfg = {
    version: 1,
    device: { id: 'reload-test', name: 'reload test' },
    mining: { enabled: false },
    hashboards: { backend: 'sim', model: 'l3plus', sim: { pow: 'scrypt-sim' } },
    telemetry: { mqtt: { enabled: true, url: `mqtt://127.0.0.1:${mqttPort}`, baseTopic: 'kab-a', intervalS: 1, haDiscovery: false, broker: { enabled: true, host: '127.0.0.1', port: mqttPort } } },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    logging: { level: 'info' },
  };
  save(cfg);
  p.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
  await p.waitFor(/watch with: mosquitto_sub/, 30_000);
});

test.after(() => p.cleanup());

test('an edited telemetry.mqtt (topic prefix, interval) is really applied: telemetry moves to the new prefix', async () => {
  assert.is((await sub('kab-a/reload-test/telemetry', 1, 10)).length, 1, 'telemetry under the first prefix');
  const from = p.daemonOut.length;
  cfg.telemetry.mqtt.baseTopic = 'kab-b';
  cfg.telemetry.mqtt.intervalS = 2;
  save(cfg);
  const line = await logLine(/"msg":"config reloaded"/, from, 15_000);
  assert.equal(line.sections, ['telemetry']);
  assert.equal(line.applied, ['telemetry'], JSON.stringify(line));
  assert.ok((line.applied_by as string[]).includes('telemetry'), JSON.stringify(line));
  assert.is(line.not_applied_until_restart, undefined, JSON.stringify(line));
  const restarted = await logLine(/"msg":"MQTT telemetry restarted with the new settings"/, from, 5000);
  assert.is(restarted.baseTopic, 'kab-b');
  assert.is(restarted.intervalS, 2);
  // Two messages on the new prefix (the interval is in effect: about 2 s apart), none on the old.
  const t0 = Date.now();
  assert.is((await sub('kab-b/reload-test/telemetry', 2, 15, true)).length, 2, p.daemonOut.slice(-2000));
  assert.ok(Date.now() - t0 >= 1500, `2 messages took ${Date.now() - t0} ms at intervalS 2`);
  assert.equal(await sub('kab-a/reload-test/telemetry', 1, 3, true), [], 'nothing new on the old prefix');
});

test('signed commands switched on by hot reload are enforced at once (issue #26: 11 of 13 forged commands ran)', async () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  const from = p.daemonOut.length;
  cfg.telemetry.mqtt.commands = ['mining', 'identify'];
  cfg.telemetry.mqtt.signedCommands = { publicKeys: [raw], maxSkewS: 60 };
  save(cfg);
  const line = await logLine(/"msg":"config reloaded"/, from, 15_000);
  assert.equal(line.applied, ['telemetry'], JSON.stringify(line));
  await logLine(/"msg":"mqtt connected"/, from, 10_000);
  const base = `${cfg.telemetry.mqtt.baseTopic}/reload-test`;
  const signedBody = (name: string, body: Record<string, unknown>): string =>
    JSON.stringify({ ...body, sig: sign(null, Buffer.from(`${name}\n${JSON.stringify(body)}`), privateKey).toString('base64') });
  const idBody = { seconds: 1, ts: Date.now(), nonce: `n-${Date.now()}` };
  const idSigned = signedBody('identify', idBody);
  const attempts: Array<[string, string, RegExp | 'ok']> = [
    ['mining', '{"on":false}', /must be signed/],
    ['mining', JSON.stringify({ on: false, ts: Date.now(), nonce: 'n-forged-01', sig: Buffer.alloc(64, 7).toString('base64') }), /signature/],
    // identify's signature carried by another command and body
    ['mining', JSON.stringify({ on: false, ts: idBody.ts, nonce: idBody.nonce, sig: JSON.parse(idSigned).sig }), /signature/],
    ['identify', idSigned, 'ok'],
    ['identify', idSigned, /replayed/],
    ['restart', signedBody('restart', { ts: Date.now(), nonce: 'n-restart-01' }), /not allowed|not accepted|allow/],
  ];
  for (const [name, msg, want] of attempts) {
    const reply = sub(`${base}/reply/${name}`, 1, 8, true);
    await new Promise((r) => setTimeout(r, 250));
    await pub(`${base}/cmd/${name}`, msg);
    const [l] = await reply;
    assert.ok(l, `a reply to ${name} ${msg.slice(0, 60)}\n${p.daemonOut.slice(-1500)}`);
    const r = JSON.parse(l!.slice(l!.indexOf(' ') + 1)) as { status: string; error?: string };
    if (want === 'ok') assert.is(r.status, 'ok', JSON.stringify(r));
    else {
      assert.is.not(r.status, 'ok', `${name} ran: ${JSON.stringify(r)}`);
      assert.match(r.error ?? '', want);
    }
  }
  assert.not.match(p.daemonOut.slice(from), /"msg":"mining (paused|disabled)/);
});

test('a telemetry change nobody can apply live (the embedded broker port) is logged "not applied until restart"', async () => {
  const from = p.daemonOut.length;
  cfg.telemetry.mqtt.broker.port = await freePort();
  save(cfg);
  const line = await logLine(/"msg":"config reloaded"/, from, 15_000);
  assert.equal(line.not_applied_until_restart, ['telemetry'], JSON.stringify(line));
  assert.equal(line.applied, []);
  await logLine(/"msg":"config not applied until restart: telemetry"/, from, 5000);
  assert.not.match(p.daemonOut.slice(from), /applied without restart/);
});

test.run();
