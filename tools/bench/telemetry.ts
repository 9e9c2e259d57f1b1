/**
 * Telemetry bench, against a real mosquitto on a free loopback port:
 * (1) bytes per minute per miner at the default profile (intervalS 10: telemetry + 4 chains +
 *     pools per tick), counted at a subscriber as MQTT PUBLISH bytes (fixed header + topic +
 *     properties + payload, via mqtt-packet's encoder); discovery (once per connect) reported apart;
 * (2) N light miners (tools/fleet, no chips) publishing through one mosquitto: broker CPU
 *     (from /proc/<pid>/stat) and end-to-end delay (payload ts -> subscriber receive), p50/p99.
 * Publishers and the subscriber share this process, so the delay includes their event-loop time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mqtt from 'mqtt';
import { MqttPublisher } from '../../src/telemetry/mqtt/client';
import { lightControl } from '../fleet/lightMiner';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const freePort = (): Promise<number> => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const cpuTicks = (pid: number): number => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const TICKS_PER_S = 100;

async function startMosquitto(): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kbs-bench-mqtt-'));
  writeFileSync(join(dir, 'm.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n`);
  const proc = spawn('mosquitto', ['-c', join(dir, 'm.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((res) => { const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 }); c.once('connect', () => { c.end(true); res(true); }); c.once('error', () => { c.end(true); res(false); }); });
    if (ok) return { port, proc };
    await sleep(100);
  }
  throw new Error('mosquitto did not start (apt-get install mosquitto)');
}

export interface TelemetryBenchResult {
  bytesPerMinutePerMiner: number; messagesPerMinute: number; discoveryBytesOnce: number; targetBytesPerMinute: number;
  fleet: { miners: number; seconds: number; messages: number; brokerCpuPctOfCore: number; delayMs: { p50: number; p99: number; max: number } };
}

export async function benchTelemetryRun(o: { smoke: boolean }): Promise<TelemetryBenchResult> {
  const { port, proc } = await startMosquitto();
  const url = `mqtt://127.0.0.1:${port}`;
  try {
    // (1) one miner at the default profile; ticks driven by hand (one minute = 6 ticks at 10 s).
    const sub = mqtt.connect(url, { protocolVersion: 5 });
    await new Promise((r) => sub.once('connect', r));
    let bytes = 0; let msgs = 0; let disc = 0;
    sub.on('packetreceive', (p) => { if (p.cmd !== 'publish') return; const n = packetBytes(p as mqtt.IPublishPacket); if ((p as mqtt.IPublishPacket).topic.startsWith('homeassistant/')) disc += n; else { bytes += n; msgs++; } });
    await new Promise((r) => sub.subscribe(['kabosu/#', 'homeassistant/#'], { qos: 1 }, r));
    const p = new MqttPublisher({ url, baseTopic: 'kabosu', deviceId: 'bench', deviceName: 'bench', intervalS: 10, qos: 0, commands: [], autoTick: false }, lightControl(0));
    p.start();
    while (!p.connected) await sleep(10);
    await sleep(300);
    bytes = 0; msgs = 0;
    for (let i = 0; i < 6; i++) { p.publishTelemetry(); await sleep(50); }
    await sleep(300);
    const perMinute = bytes; const msgsPerMinute = msgs;
    await p.stop();

    // (2) fleet
    const miners = o.smoke ? 50 : 1000;
    const seconds = o.smoke ? 5 : 30;
    const delays: number[] = [];
    sub.removeAllListeners('packetreceive');
    sub.on('message', (topic, payload) => { if (topic.endsWith('/telemetry')) { const ts = JSON.parse(payload.toString()).ts; delays.push(Date.now() - ts); } });
    const pubs: MqttPublisher[] = [];
    for (let i = 0; i < miners; i++) {
      const m = new MqttPublisher({ url, baseTopic: 'kabosu', deviceId: `fleet-${i}`, deviceName: `fleet ${i}`, intervalS: 10, qos: 0, commands: [], haDiscovery: false, autoTick: false }, lightControl(i));
      m.start(); pubs.push(m);
      if (i % 50 === 49) await sleep(20);
    }
    const t0 = Date.now();
    while (pubs.some((m) => !m.connected) && Date.now() - t0 < 30000) await sleep(50);
    await sleep(500);
    delays.length = 0;
    const c0 = cpuTicks(proc.pid!); const w0 = Date.now();
    // Each miner ticks every 10 s, spread evenly over the period (as independent miners would be).
    const stepMs = 10000 / miners;
    let k = 0;
    const end = w0 + seconds * 1000;
    while (Date.now() < end) {
      const due = Math.floor((Date.now() - w0) / stepMs);
      while (k < due) { pubs[k % miners].publishTelemetry(); k++; }
      await sleep(5);
    }
    await sleep(500);
    const cpu = (cpuTicks(proc.pid!) - c0) / TICKS_PER_S / ((Date.now() - w0) / 1000);
    const n = delays.length;
    await Promise.all(pubs.map((m) => m.stop()));
    sub.end(true);
    return {
      bytesPerMinutePerMiner: perMinute, messagesPerMinute: msgsPerMinute, discoveryBytesOnce: disc, targetBytesPerMinute: 20 * 1024,
      fleet: { miners, seconds, messages: n, brokerCpuPctOfCore: Math.round(cpu * 1000) / 10, delayMs: { p50: pct(delays, 0.5), p99: pct(delays, 0.99), max: delays.length ? Math.max(...delays) : NaN } },
    };
  } finally {
    proc.kill('SIGTERM');
  }
}

/** Wire size of a PUBLISH packet as mqtt-packet encodes it. */
function packetBytes(p: mqtt.IPublishPacket): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gen = require('mqtt-packet').generate as (p: unknown, o: { protocolVersion: number }) => Buffer;
  return gen(p, { protocolVersion: 5 }).length;
}

export async function benchTelemetry(o: { smoke: boolean }): Promise<{ table: string; result: unknown }> {
  const r = await benchTelemetryRun(o);
  const table =
    `telemetry at the default profile (10 s): ${(r.bytesPerMinutePerMiner / 1024).toFixed(2)} KiB/min per miner in ${r.messagesPerMinute} messages ` +
    `(target < ${r.targetBytesPerMinute / 1024} KiB); HA discovery ${(r.discoveryBytesOnce / 1024).toFixed(2)} KiB once per connect\n` +
    `fleet: ${r.fleet.miners} light miners through one mosquitto for ${r.fleet.seconds} s: ${r.fleet.messages} telemetry messages, ` +
    `broker CPU ${r.fleet.brokerCpuPctOfCore}% of a core, end-to-end delay p50 ${r.fleet.delayMs.p50} ms p99 ${r.fleet.delayMs.p99} ms max ${r.fleet.delayMs.max} ms\n`;
  return { table, result: r };
}
