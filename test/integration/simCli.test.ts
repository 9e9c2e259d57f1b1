import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/main';
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim/miner';
import { SimControlServer } from '../../src/sim/control/server';
import { startStandalone } from '../../src/sim/standalone';
import { callControl } from '../../src/sim/control/client';
import { standInFactory } from '../unit/sim/standInChain';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await main(argv, { stdout, stderr, stdin: new PassThrough(), env, cwd: process.cwd() });
  return { code, out, err };
}

test('kabosu sim state|fault|clear|scenario|oracle talk to a running simulator', async () => {
  const clock = new VirtualClock();
  const m = createSimMiner({ boardId: 'l3plus', seed: 8, clock, chainFactory: standInFactory(384) });
  const server = new SimControlServer(m);
  const addr = await server.listen({ port: 0 });
  try {
    const s = await cli(['sim', 'state', '--control', addr]);
    assert.is(s.code, 0, s.err);
    assert.match(s.out, 'l3plus seed 8');
    assert.match(s.out, 'chain 3: off');
    const f = await cli(['sim', 'fault', 'chip-hw-errors', '--chain', '1', '--chip', '7', '--param', 'probability=0.4'], { KABOSU_SIM_CONTROL: addr });
    assert.is(f.code, 0, f.err);
    assert.match(f.out, /fault 1 injected/);
    assert.is(m.physics.chainAt(1).chips[7]!.faults.hwErrorProbability, 0.4);
    const json = JSON.parse((await cli(['sim', 'state', '--json', '--control', addr])).out) as { faults: Array<{ fault: string }> };
    assert.is(json.faults[0]!.fault, 'chip-hw-errors');
    assert.match((await cli(['sim', 'clear', '1', '--control', addr])).out, 'fault 1 cleared');
    const bad = await cli(['sim', 'fault', 'chip-dead', '--chain', '9', '--chip', '0', '--control', addr]);
    assert.is(bad.code, 1);
    assert.match(bad.err, 'KBS_E_SIM_FAULT_TARGET');
    const file = join(mkdtempSync(join(tmpdir(), 'kabosu-sc-')), 's.json');
    writeFileSync(file, JSON.stringify({ steps: [{ at_ms: 1000, fault: 'tach-lost', target: { fan: 0 } }] }));
    assert.match((await cli(['sim', 'scenario', file, '--control', addr])).out, '1 steps scheduled');
    clock.advance(1000);
    assert.ok(m.physics.fans[0]!.tachLost);
    const o = await cli(['sim', 'oracle', '--target', 'efficiency', '--min-hashrate', '450M', '--control', addr]);
    assert.is(o.code, 0, o.err);
    assert.match(o.out, /MH\/s at \d+ W/);
    assert.match(o.out, /chain 0: code \d+/);
  } finally {
    await server.close();
    await m.stop();
  }
});

test('usage errors exit 2 with a hint; an unreachable simulator is a clear error', async () => {
  assert.is((await cli(['sim'])).code, 2);
  assert.is((await cli(['sim', 'frobnicate'])).code, 2);
  assert.is((await cli(['sim', 'state'])).code, 2, 'no control address');
  assert.is((await cli(['sim', 'oracle', '--target', 'power', '--control', '1'])).code, 2, 'power needs --max-power');
  const r = await cli(['sim', 'state', '--control', 'unix:/nonexistent/kabosu.sock']);
  assert.is(r.code, 1);
  assert.match(r.err, 'KBS_E_SIM_UNREACHABLE');
});

test('a stand-alone simulator serves its control API, plays its scenario and stops cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-sa-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify([{ atMs: 0, fault: 'fan-seized', target: { fan: 1 } }]));
  const sim = await startStandalone({
    boardId: 'l3plus',
    seed: 77,
    pty: false,
    listen: { socketPath: join(dir, 'sim.sock') },
    ambientC: 30,
    timeScale: 1,
    pow: 'scrypt-sim',
    scenarioPath: file,
    chainFactory: standInFactory(384),
  });
  try {
    assert.equal(sim.info, { board: 'l3plus', seed: 77, control: `unix:${join(dir, 'sim.sock')}`, transport: 'stream', ptys: [] });
    assert.ok(sim.miner.running);
    await new Promise((r) => setTimeout(r, 20));
    const s = (await callControl(sim.info.control, 'GET', '/v1/state?chips=false')).body as { ambient_c: number; faults: Array<{ fault: string }> };
    assert.is(s.ambient_c, 30);
    assert.is(s.faults[0]!.fault, 'fan-seized');
  } finally {
    await sim.stop();
  }
  assert.not.ok(sim.miner.running);
});

test('a bad scenario file stops the stand-alone simulator before it starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-sa-'));
  writeFileSync(join(dir, 'bad.json'), '{"steps": [{"fault": "meteor"}]}');
  try {
    await startStandalone({ boardId: 'l3plus', seed: 1, pty: false, listen: { port: 0 }, ambientC: 25, timeScale: 1, pow: 'scrypt-sim', scenarioPath: join(dir, 'bad.json'), chainFactory: standInFactory(384) });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'KBS_E_SIM_BAD_REQUEST');
  }
});

test.run();
