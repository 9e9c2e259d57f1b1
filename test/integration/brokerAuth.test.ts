/**
 * Issue #26: the embedded MQTT broker had no authentication: any local client could pause,
 * resume, restart and publish a fake retained `offline`. Now (the daemon as a process, its aedes
 * broker, mosquitto clients): anonymous clients read but never publish nor leave a will; the
 * operator login (password generated into the data dir, mode 0600, never logged) sends commands
 * but cannot publish the miner's state; only the daemon itself publishes that.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';

const p = new KabosuProcs('kabosu-brokerauth-');
const cfgPath = join(p.dir, 'config.json');
const dataDir = join(p.dir, 'data');
const base = 'kabosu/auth-test';
let port = 0;
let password = '';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const pub = (topic: string, msg: string, login: string[] = [], extra: string[] = []): Promise<string> =>
  new Promise((res) => execFile('mosquitto_pub', ['-p', String(port), '-h', '127.0.0.1', '-q', '1', ...login, '-t', topic, '-m', msg, ...extra], (e, o, err) => res(`${e ? `exit ${e.code}` : 'ok'} ${o}${err}`)));
const sub = (topic: string, count: number, timeoutS: number, login: string[] = [], extra: string[] = []): Promise<string[]> =>
  new Promise((res) => execFile('mosquitto_sub', ['-p', String(port), '-h', '127.0.0.1', ...login, '-t', topic, '-v', '-C', String(count), '-W', String(timeoutS), ...extra], (_e, o) => res(o.split('\n').filter(Boolean))));
const operator = (): string[] => ['-u', 'kabosu', '-P', password];
const retainedStatus = async (): Promise<string | undefined> => (await sub(`${base}/status`, 1, 3))[0];

test.before(async () => {
  port = await freePort();
  writeFileSync(cfgPath, JSON.stringify({
    version: 1, device: { id: 'auth-test', name: 'auth test' }, mining: { enabled: false },
    hashboards: { backend: 'sim', model: 'l3plus', sim: { pow: 'scrypt-sim' } },
    telemetry: { mqtt: { enabled: true, url: `mqtt://127.0.0.1:${port}`, intervalS: 1, haDiscovery: false, commands: ['mining', 'identify', 'restart'], broker: { enabled: true, host: '127.0.0.1', port } } },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    logging: { level: 'info' },
  }));
  p.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
  await p.waitFor(/MQTT commands need the broker's operator login/, 30_000);
  password = readFileSync(join(dataDir, 'mqtt-broker-password'), 'utf8').trim();
});

test.after(() => p.cleanup());

test('the generated operator password is kept 0600 in the data dir and never logged', () => {
  assert.ok(password.length >= 16);
  assert.is(statSync(join(dataDir, 'mqtt-broker-password')).mode & 0o777, 0o600);
  assert.match(p.daemonOut, /-P \\?"\$\(cat [^)]*mqtt-broker-password\)/);
  assert.not.ok(p.daemonOut.includes(password), 'password in the log');
});

test('anonymous clients read telemetry but their commands never run', async () => {
  assert.is(await retainedStatus(), `${base}/status online`);
  const from = p.daemonOut.length;
  const replies = sub(`${base}/reply/#`, 1, 4);
  await sleep(200);
  for (const cmd of ['mining', 'restart']) await pub(`${base}/cmd/${cmd}`, '{"on":false}');
  await pub(`${base}/cmd/identify`, '{}', ['-u', 'kabosu', '-P', 'wrong-password-123']);
  assert.equal(await replies, [], 'no command reached the daemon');
  const log = p.daemonOut.slice(from);
  assert.not.match(log, /"msg":"mqtt command/);
  assert.match(log, /mqtt broker refused: anonymous clients may not publish/);
});

test('no fake retained offline: not from anonymous clients, not from their wills, not from the operator', async () => {
  await pub(`${base}/status`, 'offline', [], ['-r']);
  await pub(`${base}/status`, 'offline', operator(), ['-r']);
  // An anonymous client whose will is a retained offline on the miner's status, killed uncleanly.
  const w = spawn('mosquitto_sub', ['-p', String(port), '-h', '127.0.0.1', '-t', 'x/y', '--will-topic', `${base}/status`, '--will-payload', 'offline', '--will-retain', '--will-qos', '1'], { stdio: 'ignore' });
  await sleep(700);
  w.kill('SIGKILL');
  await sleep(700);
  assert.is(await retainedStatus(), `${base}/status online`);
  assert.match(p.daemonOut, /only the miner publishes under kabosu\/auth-test\//);
});

test('the operator login sends commands and gets replies', async () => {
  const reply = sub(`${base}/reply/identify`, 1, 8);
  await sleep(200);
  await pub(`${base}/cmd/identify`, '{"seconds":1,"transaction":"op-1"}', operator());
  const [l] = await reply;
  assert.ok(l, p.daemonOut.slice(-1500));
  const r = JSON.parse(l!.slice(l!.indexOf(' ') + 1)) as { status: string; transaction: string };
  assert.is(r.status, 'ok', JSON.stringify(r));
  assert.is(r.transaction, 'op-1');
});

test.run();
