/**
 * Shared by test/integration/otaPowerCut*.test.ts. Power cut at every step of an app update (issue #19 item 4): the process is SIGKILLed (the
 * installer CLI, or the launcher's whole process group) during the download, during the write,
 * after the write before the flip, after the flip before the new version ran, while the new
 * version is on trial before its commit, and at the commit. After each cut the launcher is
 * started as systemd would start it and must bring up a good slot (the daemon reaches its
 * running state) with config, device key, energy counter and history intact.
 * KABOSU_OTA_CUT_RUNS (default 1) repeats every point; the counts are printed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { OtaRig, Launched, BIN } from './otaRig';
import { freePort } from './net';
import { readJson } from '../../src/store';

const RUNS = Number(process.env.KABOSU_OTA_CUT_RUNS ?? 1);
export type CutGroup = 'install' | 'trial';
const RUNNING = /"component":"ota","slot":"([a-z]+)"[^\n]*"msg":"running"/;
let rig: OtaRig;
let template = '';
let server: Server;
let url = '';
let bundleSha = '';
let ranges: string[] = [];
const counts: Record<string, { runs: number; good: number; slots: Record<string, number> }> = {};

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

export function registerPowerCuts(group: CutGroup): void {
test.before(async () => {
  const pool = await freePort();
  rig = new OtaRig({
    mining: { enabled: true },
    pools: [{ name: 't', url: `stratum+tcp://127.0.0.1:${pool}`, user: 'w', password: 'x' }],
    testPool: { enabled: true, host: '127.0.0.1', port: pool, difficulty: 1024 },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    ota: { commitWindowS: 60 },
  });
  // The pool password sealed with the device key: a key the update must never lose.
  const seal = require('node:child_process').spawnSync(process.execPath, [BIN, 'config', 'set-secret', 'pools/0/password', '--config', rig.config, '--data-dir', rig.data], { input: 'x', env: rig.env, encoding: 'utf8' });
  assert.is(seal.status, 0, seal.stderr);
  // The new version: the same firmware from its own slot (on a miner: the new single binary).
  const b = rig.build('v2.kbota', '0.2.0', 'cut-2', rig.app('v2', `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, 4 * 1024 * 1024));
  assert.is(b.code, 0, b.stderr);
  bundleSha = sha(rig.path('v2.kbota'));
  // A factory run first, so the data dir has history and an energy counter to keep.
  const l = new Launched(rig);
  await l.waitFor(/share accepted|"accepted"/, 60_000).catch(() => l.waitFor(RUNNING, 60_000));
  await new Promise((r) => setTimeout(r, 1500));
  await l.stop();
  template = rig.path('template');
  cpSync(rig.data, template, { recursive: true });
  server = createServer((req, res) => {
    const file = readFileSync(rig.path('v2.kbota'));
    const m = /^bytes=([0-9]+)-$/.exec(String(req.headers.range ?? ''));
    if (m) {
      ranges.push(String(req.headers.range));
      const start = Number(m[1]);
      res.writeHead(206, { 'content-range': `bytes ${start}-${file.length - 1}/${file.length}`, 'content-length': file.length - start });
      res.end(file.subarray(start));
    } else {
      res.writeHead(200, { 'content-length': file.length });
      res.end(file);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v2.kbota`;
});

test.after(() => {
  console.log(`power-cut runs per point (${group}):`, JSON.stringify(counts));
  server?.close();
  rig?.cleanup();
});

function reset(): void {
  rmSync(rig.data, { recursive: true, force: true });
  cpSync(template, rig.data, { recursive: true });
  ranges = [];
}

/** Config, device key, energy counter and history as the template had them (or grown). */
function intact(): void {
  for (const f of ['device.key', 'energy.json', 'history.bin']) if (existsSync(join(template, f))) assert.ok(existsSync(join(rig.data, f)), `${f} lost`);
  const keyFile = readdirSync(template).find((f) => f.includes('key') && !f.endsWith('.bak'));
  if (keyFile) assert.is(sha(join(rig.data, keyFile)), sha(join(template, keyFile)), 'device key changed');
  if (existsSync(join(template, 'energy.json'))) assert.ok(readJson(join(rig.data, 'energy.json')), 'energy counter unreadable');
  if (existsSync(join(template, 'history.bin'))) assert.ok(statSync(join(rig.data, 'history.bin')).size >= statSync(join(template, 'history.bin')).size, 'history shrank');
  const slots = join(rig.data, 'ota/slots');
  assert.equal((existsSync(slots) ? readdirSync(slots) : []).filter((n) => n.endsWith('.partial')), [], 'a partial slot survived the launcher');
}

/** Starts the launcher as systemd would and checks it brings up a slot in `allowed`, then stops it. */
async function bootsGood(point: string, allowed: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const l = new Launched(rig, env);
  try {
    const slot = (await l.waitFor(RUNNING, 90_000))[1];
    assert.ok(allowed.includes(slot), `${point}: started ${slot}, expected one of ${allowed}`);
    await l.stop();
    intact();
    const c = (counts[point] ??= { runs: 0, good: 0, slots: {} });
    c.runs++;
    c.good++;
    c.slots[slot] = (c.slots[slot] ?? 0) + 1;
    return slot;
  } finally {
    await l.powerCut();
  }
}

const install = (env: NodeJS.ProcessEnv = {}) => rig.cli(rig.installArgs('v2.kbota'), env);

for (let run = 1; run <= RUNS; run++) {
  if (group === 'install') {
  test(`run ${run}: cut during the download: the committed app starts, the download resumes with a Range request`, async () => {
    reset();
    const r = await rig.cli(['ota', 'install', '--config', rig.config, '--data-dir', rig.data, '--url', url, '--sha256', bundleSha], { KABOSU_OTA_FAULT: 'download' });
    assert.is(r.signal, 'SIGKILL', r.stderr);
    assert.ok(readdirSync(join(rig.data, 'ota/download')).some((n) => n.endsWith('.part')));
    await bootsGood('download', ['factory']);
    const again = await rig.cli(['ota', 'install', '--config', rig.config, '--data-dir', rig.data, '--url', url, '--sha256', bundleSha]);
    assert.is(again.code, 0, again.stderr);
    assert.is(ranges.length, 1, 'the second attempt resumes');
  });

  test(`run ${run}: cut during the write, and after the write before the flip: the committed app starts`, async () => {
    for (const point of ['write', 'after-write']) {
      reset();
      const r = await install({ KABOSU_OTA_FAULT: point });
      assert.is(r.signal, 'SIGKILL', r.stderr);
      assert.is(rig.state().trial, undefined);
      await bootsGood(point, ['factory']);
    }
  });
  } else {
  test(`run ${run}: cut after the flip: the new version is tried, proves itself and is committed`, async () => {
    reset();
    const r = await install({ KABOSU_OTA_FAULT: 'after-flip' });
    assert.is(r.signal, 'SIGKILL', r.stderr);
    const l = new Launched(rig);
    try {
      await l.waitFor(/ota_committed/, 90_000);
      await l.stop();
    } finally {
      await l.powerCut();
    }
    await bootsGood('after-flip', ['a']);
    assert.is(rig.state().active, 'a');
  });

  test(`run ${run}: cut while the new version is on trial, before its commit: rolled back by the boot counter`, async () => {
    reset();
    assert.is((await install()).code, 0);
    const l = new Launched(rig);
    await l.waitFor(RUNNING, 90_000);
    await l.powerCut(); // the first proof check is a second after start: this lands before it
    assert.is(rig.state().active, 'factory');
    await bootsGood('before-commit', ['factory']);
    assert.is(rig.state().last?.result, 'rolled_back');
  });

  test(`run ${run}: cut during the commit: the miner comes back on a good slot`, async () => {
    reset();
    assert.is((await install()).code, 0);
    const l = new Launched(rig, { KABOSU_OTA_FAULT: 'commit' });
    const exit = await l.exited;
    assert.ok(exit.code !== 0, 'the app was killed at its commit');
    await bootsGood('commit', ['factory', 'a']);
  });
  }
}
}
