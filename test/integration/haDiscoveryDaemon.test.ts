/**
 * Home Assistant discovery from the daemon (`kabosu run` as a process, simulated boards) through a
 * real mosquitto on a free loopback port, read back with mosquitto_sub: every entity carries
 * `default_entity_id` (`<domain>.<object_id>`, HA 2025.10+) next to the deprecated `object_id`,
 * and the energy entity (kWh, energy, total_increasing) points at a state topic that really
 * carries a numeric, growing kWh value from the persisted energy counter.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';

const procs = new KabosuProcs('kabosu-ha-');
const DEVICE = 'ha-rig-1';
let broker: ChildProcess | undefined;
let port = 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** `count` messages ("topic payload" lines) on `topic` within `timeoutS`. */
const sub = (topic: string, count: number, timeoutS: number): Promise<string[]> =>
  new Promise((res) => execFile('mosquitto_sub', ['-p', String(port), '-h', '127.0.0.1', '-t', topic, '-v', '-C', String(count), '-W', String(timeoutS)], (_e, o) => res(o.split('\n').filter(Boolean))));
const body = (line: string): any => JSON.parse(line.slice(line.indexOf(' ') + 1)); // eslint-disable-line @typescript-eslint/no-explicit-any

test.before(async () => {
  port = await freePort();
  writeFileSync(join(procs.dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  broker = spawn('mosquitto', ['-c', join(procs.dir, 'm.conf')], { stdio: 'ignore' });
  const poolPort = await freePort();
  const cfgPath = join(procs.dir, 'config.json');
  writeFileSync(cfgPath, JSON.stringify({
    version: 1,
    device: { id: DEVICE, name: 'HA test rig' },
    // Mining on the embedded test pool: the boards are powered, so energy is counted.
    mining: { enabled: true },
    pools: [{ name: 'local', url: `stratum+tcp://127.0.0.1:${poolPort}`, user: 'w.1' }],
    testPool: { enabled: true, host: '127.0.0.1', port: poolPort, pow: 'scrypt-sim', difficulty: 4096 },
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 4, pow: 'scrypt-sim', transport: 'stream' } },
    // Power accounting every second (default 30 s) so the counter moves within the test.
    health: { hardware: { intervalMs: 1000 } },
    telemetry: { mqtt: { enabled: true, url: `mqtt://127.0.0.1:${port}`, intervalS: 1 } },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    logging: { level: 'info' },
  }));
  // The broker may still be binding: the publisher reconnects until it is up.
  procs.daemon(['run', '--config', cfgPath, '--data-dir', join(procs.dir, 'data')]);
  await procs.waitFor(/watch with: mosquitto_sub/, 30_000);
});

test.after(async () => {
  await procs.cleanup().catch(() => undefined);
  broker?.kill('SIGTERM');
});

test('every discovered entity has default_entity_id; the energy entity carries a numeric kWh state', async () => {
  let disc: string[] = [];
  // Retained configs arrive at once; the subscription ends 3 s after the last one.
  for (let i = 0; i < 20 && disc.length === 0; i++) {
    disc = await sub(`homeassistant/+/${DEVICE}/+/config`, 100, 3);
    if (disc.length === 0) await sleep(500);
  }
  assert.ok(disc.length >= 12, `discovery messages: ${disc.length}\n${procs.daemonOut.slice(-2000)}`);
  for (const line of disc) {
    const topic = line.split(' ')[0];
    const domain = topic.split('/')[1];
    const c = body(line);
    assert.type(c.default_entity_id, 'string', `${topic} has default_entity_id`);
    assert.is(c.default_entity_id, `${domain}.${String(c.object_id).replace(/-/g, '_')}`, topic);
    assert.match(c.default_entity_id, /^[a-z_]+\.[a-z0-9_]+$/);
  }
  const energyLine = disc.find((l) => l.startsWith(`homeassistant/sensor/${DEVICE}/energy/config `));
  assert.ok(energyLine, 'an energy entity is discovered');
  const e = body(energyLine!);
  assert.is(e.device_class, 'energy');
  assert.is(e.state_class, 'total_increasing');
  assert.is(e.unit_of_measurement, 'kWh');
  const key = /^\{\{ value_json\.([a-z_]+) \}\}$/.exec(e.value_template)?.[1];
  assert.ok(key, `value_template names one field: ${e.value_template}`);
  // The state topic the entity names carries that field as a number once the power accounting
  // has ticked (health.hardware.intervalMs; null before, as the telemetry schema allows); the
  // simulated boards draw power, so within a few ticks the counter is above 0 and never drops.
  const seen: number[] = [];
  const end = Date.now() + 45_000;
  while (Date.now() < end && !(seen.length >= 2 && seen[seen.length - 1] > 0)) {
    const [msg] = await sub(e.state_topic, 1, 5);
    if (!msg) continue;
    const v = body(msg)[key!];
    if (v === null && seen.length === 0) { await sleep(1000); continue; }
    assert.type(v, 'number', `${e.state_topic} ${key} is numeric: ${msg}`);
    seen.push(v);
    await sleep(1000);
  }
  assert.ok(seen.length >= 2 && seen[seen.length - 1] > 0, `kWh grows above 0: ${seen.join(', ')}`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `total_increasing: ${seen.join(', ')}`);
});

test.run();
