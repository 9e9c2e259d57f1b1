/**
 * Updates through the daemon, as a fleet drives them: the firmware runs under `kabosu launch`
 * (the unit's ExecStart) with a real mosquitto. An upload on POST /api/v1/ota is written to the
 * inactive slot, the daemon restarts into it, and the new version commits itself once it mined;
 * bad uploads are refused with their reason and counted in an event; a signed MQTT `ota`
 * command names a URL and hash, and a version that never mines is rolled back when its commit
 * window closes. Progress and outcomes show in status.ota, the retained `ota` topic and events.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { OtaRig, Launched, BIN } from '../helpers/otaRig';
import { freePort } from '../helpers/net';

const TOKEN = 'ota-test-token';
let rig: OtaRig;
let launched: Launched;
let httpPort = 0;
let mqttPort = 0;
let broker: ChildProcess;
let files: Server;
let filesUrl = '';
const fleet = generateKeyPairSync('ed25519');
const fleetPub = fleet.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sub = (topic: string, count: number, timeoutS: number): Promise<string[]> =>
  new Promise((res) => execFile('mosquitto_sub', ['-p', String(mqttPort), '-h', '127.0.0.1', '-t', topic, '-v', '-C', String(count), '-W', String(timeoutS)], (_e, o) => res(o.split('\n').filter(Boolean))));
const pub = (topic: string, msg: string): Promise<void> =>
  new Promise((res, rej) => execFile('mosquitto_pub', ['-p', String(mqttPort), '-h', '127.0.0.1', '-t', topic, '-m', msg], (e) => (e ? rej(e) : res())));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const api = async (path: string): Promise<any> => (await fetch(`http://127.0.0.1:${httpPort}${path}`)).json();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function otaWhen(done: (o: any) => boolean, ms: number): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const o = await api('/api/v1/ota').catch(() => null);
    if (o && done(o)) return o;
    if (Date.now() > end) throw new Error(`ota status never matched: ${JSON.stringify(o)}\n${launched.out.slice(-3000)}`);
    await sleep(300);
  }
}

function upload(file: string, token = TOKEN): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpPort, path: '/api/v1/ota', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': statSync(file).size } }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(t) }));
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

test.before(async () => {
  const pool = await freePort();
  httpPort = await freePort();
  mqttPort = await freePort();
  rig = new OtaRig({
    device: { id: 'ota-miner' },
    mining: { enabled: true },
    pools: [{ name: 't', url: `stratum+tcp://127.0.0.1:${pool}`, user: 'w', password: 'x' }],
    testPool: { enabled: true, host: '127.0.0.1', port: pool, difficulty: 1024 },
    api: { http: { enabled: true, host: '127.0.0.1', port: httpPort, token: TOKEN }, cgminer: { enabled: false } },
    telemetry: { mqtt: { enabled: true, url: `mqtt://127.0.0.1:${mqttPort}`, intervalS: 1, commands: ['ota', 'mining'], signedCommands: { publicKeys: [fleetPub] }, haDiscovery: false } },
    ota: { commitWindowS: 15 },
  });
  writeFileSync(rig.path('m.conf'), `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  broker = spawn('mosquitto', ['-c', rig.path('m.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await pub('probe', 'x').then(() => true, () => false)); i++) await sleep(100);
  files = createServer((req, res) => {
    const f = rig.path(String(req.url).slice(1));
    const body = readFileSync(f);
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}`;
  launched = new Launched(rig);
  await otaWhen((o) => o.slot === 'factory', 90_000);
});

test.after(async () => {
  await launched?.stop().catch(() => undefined);
  await launched?.powerCut();
  broker?.kill('SIGTERM');
  files?.close();
  rig?.cleanup();
});

test('uploads without the token, unsigned or for another board are refused with the reason and counted; nothing changes', async () => {
  rig.cliSync(['ota', 'build', '--out', rig.path('u.kbota'), '--version', '0.2.0', '--build-id', 'u', '--board', 'l3plus', ...rig.app('u', '#!/bin/sh\nexit 1\n')]);
  assert.is((await upload(rig.path('u.kbota'), 'wrong')).status, 401);
  const u = await upload(rig.path('u.kbota'));
  assert.is(u.status, 400, JSON.stringify(u.body));
  assert.is(u.body.code, 'KBS_E_OTA_UNSIGNED');
  rig.cliSync(['ota', 'build', '--out', rig.path('l7.kbota'), '--version', '0.2.0', '--build-id', 'l7', '--board', 'l7', '--key', rig.key, ...rig.app('u', '#!/bin/sh\nexit 1\n')]);
  const w = await upload(rig.path('l7.kbota'));
  assert.is(w.body.code, 'KBS_E_OTA_WRONG_BOARD');
  // Over ota.maxBundleBytes by its content-length: 413 before a byte of it is read.
  const big = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpPort, path: '/api/v1/ota', method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream', 'content-length': 600 * 1024 * 1024 } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
    req.write(Buffer.alloc(1024));
  });
  assert.is(big, 413);
  const o = await api('/api/v1/ota');
  assert.is(o.refused, 2);
  assert.is(o.last_error.reason, 'wrong_board');
  assert.is(o.committed_slot, 'factory');
  const ev = (await api('/api/v1/events?limit=500')).filter((e: { kind: string }) => e.kind === 'ota_refused');
  assert.equal(ev.map((e: { data: { reason: string; refused_total: number } }) => [e.data.reason, e.data.refused_total]), [['unsigned', 1], ['wrong_board', 2]]);
});

test('POST /api/v1/ota: written to slot a, restarted into it, committed after mining; the figure start -> committed is printed', async () => {
  const b = rig.build('v2.kbota', '0.2.0', 'http-2', rig.app('v2', `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, 8 * 1024 * 1024));
  assert.is(b.code, 0, b.stderr);
  const retained = sub('kabosu/ota-miner/events', 200, 60);
  await sleep(500); // mosquitto_sub subscribed
  const t0 = Date.now();
  const r = await upload(rig.path('v2.kbota'));
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.equal({ slot: r.body.result.slot, version: r.body.result.version, restarting: r.body.result.restarting }, { slot: 'a', version: '0.2.0', restarting: true });
  const o = await otaWhen((x) => x.slot === 'a' && x.state === 'committed', 90_000);
  const ms = Date.now() - t0;
  console.log(`app-only update over HTTP, upload start -> committed: ${ms} ms (${statSync(rig.path('v2.kbota')).size} B bundle)`);
  assert.is(o.version, '0.2.0');
  assert.is(o.committed_slot, 'a');
  assert.is(o.min_version, '0.2.0');
  assert.is(o.last.result, 'committed');
  assert.match(o.last.reason, /accepted share/);
  const topic = (await sub('kabosu/ota-miner/ota', 4, 10)).map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)));
  assert.ok(topic.some((t) => t.committed_slot === 'a' && t.state === 'committed' && t.version === '0.2.0'), JSON.stringify(topic));
  await pub('probe', 'x');
  const kinds = (await retained).map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)).kind);
  for (const k of ['ota_started', 'ota_progress', 'ota_installed', 'ota_committed']) assert.ok(kinds.includes(k), `${k} on MQTT events: ${kinds.join(',')}`);
});

function signed(name: string, body: Record<string, unknown>): string {
  const rest = { ...body, ts: Date.now(), nonce: `n-${Math.random().toString(16).slice(2)}` };
  const sig = sign(null, Buffer.from(`${name}\n${JSON.stringify(rest)}`), fleet.privateKey).toString('base64');
  return JSON.stringify({ ...rest, sig });
}

test('a signed MQTT ota command installs from a URL; a version that never mines is rolled back when its window closes', async () => {
  // 0.3.0 starts (READY=1), but with mining off in its environment: it never mines.
  rig.build('v3.kbota', '0.3.0', 'mqtt-3', rig.app('v3', `#!/bin/sh\nKABOSU_CONFIG_MINING_ENABLED=false exec "${process.execPath}" "${BIN}" "$@"\n`));
  const hash = createHash('sha256').update(readFileSync(rig.path('v3.kbota'))).digest('hex');
  const replies = sub('kabosu/ota-miner/reply/#', 2, 20);
  await sleep(300);
  await pub('kabosu/ota-miner/cmd/ota', JSON.stringify({ url: `${filesUrl}/v3.kbota`, sha256: hash, transaction: 1 })); // unsigned: refused
  await pub('kabosu/ota-miner/cmd/ota', signed('ota', { url: `${filesUrl}/v3.kbota`, sha256: hash, transaction: 2 }));
  const byTx = Object.fromEntries((await replies).map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1))).map((x) => [x.transaction, x]));
  assert.is(byTx[1].status, 'error');
  assert.is(byTx[1].code, 'KBS_E_TELEMETRY_UNAUTHORISED');
  assert.is(byTx[2].status, 'ok', JSON.stringify(byTx[2]));
  await otaWhen((x) => x.slot === 'b' && x.state === 'trying', 90_000);
  const o = await otaWhen((x) => x.slot === 'a' && x.last?.result === 'rolled_back', 120_000);
  assert.is(o.committed_slot, 'a');
  assert.is(o.version, '0.2.0');
  assert.ok(/no proof within 15 s: .*(no accepted share|no chain scanned)/.test(o.last.reason), o.last.reason);
  const ev = (await api('/api/v1/events?limit=500')).map((e: { kind: string }) => e.kind);
  assert.ok(ev.includes('ota_rolled_back'), ev.join(','));
});

test.run();
