import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VirtualClock } from '../../src/hal/clock';
import { createSimMiner } from '../../src/sim/miner';
import { SimControlServer } from '../../src/sim/control/server';
import { callControl, parseControlAddress } from '../../src/sim/control/client';
import { snake } from '../../src/sim/control/wire';
import { standInFactory } from '../unit/sim/standInChain';

function rig(): { m: ReturnType<typeof createSimMiner>; server: SimControlServer; clock: VirtualClock } {
  const clock = new VirtualClock();
  const m = createSimMiner({ boardId: 'l3plus', seed: 4, clock, chainFactory: standInFactory(384) });
  return { m, server: new SimControlServer(m), clock };
}

test('state over TCP: snake_case truth with per-chip detail, or without it', async () => {
  const { m, server } = rig();
  const addr = await server.listen({ port: 0 });
  try {
    const r = await callControl(addr, 'GET', '/v1/state');
    assert.is(r.status, 200);
    const s = r.body as { board: string; chains: Array<{ chips: Array<{ stable_limit_mhz: number; freq_mhz: number }>; board_c: number }>; wall_power_w: number; fans: unknown[] };
    assert.is(s.board, 'l3plus');
    assert.is(s.chains.length, 4);
    assert.is(s.chains[0]!.chips.length, 72);
    assert.ok(s.chains[0]!.chips[0]!.stable_limit_mhz > 300);
    assert.is(s.fans.length, 2);
    const lean = (await callControl(addr, 'GET', '/v1/state?chips=false')).body as { chains: Array<{ chips: unknown[] }> };
    assert.is(lean.chains[0]!.chips.length, 0);
  } finally {
    await server.close();
    await m.stop();
  }
});

test('faults over a unix socket: inject, list, clear one, clear all; the firmware side sees them', async () => {
  const { m, server } = rig();
  const sock = join(mkdtempSync(join(tmpdir(), 'kabosu-sim-')), 'control.sock');
  const addr = await server.listen({ socketPath: sock });
  try {
    assert.is(addr, `unix:${sock}`);
    const a = await callControl(addr, 'POST', '/v1/faults', { fault: 'sensor-absent', target: { chain: 0, sensor: 0 } });
    assert.is(a.status, 201);
    const id = (a.body as { id: number }).id;
    await m.hal.sensorBuses[0]![0]!.readByte(0x4c, 0).then(
      () => assert.unreachable('sensor should be absent'),
      (e: { code: string }) => assert.is(e.code, 'KBS_E_I2C_NACK'),
    );
    await callControl(addr, 'POST', '/v1/faults', { fault: 'fan-seized', target: { fan: 1 } });
    const list = (await callControl(addr, 'GET', '/v1/faults')).body as Array<{ fault: string; injected_at_ms: number }>;
    assert.equal(list.map((f) => f.fault), ['sensor-absent', 'fan-seized']);
    assert.is((await callControl(addr, 'DELETE', `/v1/faults/${id}`)).status, 200);
    assert.is((await callControl(addr, 'DELETE', `/v1/faults/${id}`)).status, 404);
    assert.equal((await callControl(addr, 'DELETE', '/v1/faults')).body, { cleared: 1 });
    assert.is(await m.hal.sensorBuses[0]![0]!.readByte(0x4c, 0xfe), 0x55);
  } finally {
    await server.close();
    await m.stop();
  }
});

test('oracle, scenario, start and stop over HTTP', async () => {
  const { m, server, clock } = rig();
  const addr = await server.listen({ port: 0 });
  try {
    const o = await callControl(addr, 'POST', '/v1/oracle', { target: 'power', max_power_w: 750 });
    assert.is(o.status, 200);
    const body = o.body as { feasible: boolean; wall_power_w: number; boards: Array<{ freqs_mhz: number[]; regulator_code: number }> };
    assert.ok(body.feasible && body.wall_power_w <= 750);
    assert.is(body.boards[0]!.freqs_mhz.length, 72);
    assert.is((await callControl(addr, 'POST', '/v1/oracle', { target: 'power' })).status, 400);
    const sc = await callControl(addr, 'POST', '/v1/scenario', { steps: [{ at_ms: 5000, fault: 'ambient-step', params: { to_c: 35 } }] });
    assert.equal(sc.body, { scheduled: 1 });
    clock.advance(5000);
    assert.is(m.physics.ambientC, 35);
    assert.equal((await callControl(addr, 'POST', '/v1/start')).body, { running: true });
    assert.ok(m.running);
    await callControl(addr, 'POST', '/v1/stop');
    assert.not.ok(m.running);
  } finally {
    await server.close();
    await m.stop();
  }
});

test('bad requests get typed JSON errors, never a crash', async () => {
  const { m, server } = rig();
  const addr = await server.listen({ port: 0 });
  const raw = async (method: string, path: string, body: string): Promise<{ status: number; body: unknown }> => {
    const t = parseControlAddress(addr);
    const res = await fetch(`http://${t.host}:${t.port}${path}`, { method, body, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: await res.json() };
  };
  try {
    const bad = await raw('POST', '/v1/faults', '{"fault": ');
    assert.is(bad.status, 400);
    assert.is((bad.body as { code: string }).code, 'KBS_E_SIM_BAD_REQUEST');
    assert.is((await raw('POST', '/v1/faults', JSON.stringify({ fault: 'chip-dead', target: { chain: 7, chip: 0 } }))).status, 400);
    assert.is((await raw('POST', '/v1/faults', 'x'.repeat(70_000))).status, 413);
    assert.is((await callControl(addr, 'GET', '/v2/nothing')).status, 404);
    assert.is((await callControl(addr, 'PUT', '/v1/state')).status, 405);
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/faults', '/v1/scenario', '/v1/oracle'),
        fc.oneof(fc.json(), fc.string(), fc.jsonValue().map((v) => JSON.stringify({ fault: 'chip-dead', target: v })), fc.jsonValue().map((v) => JSON.stringify({ target: 'power', max_power_w: v }))),
        async (path, body) => {
          const r = await raw('POST', path, body);
          if (r.status >= 500) return false;
          if (r.status >= 400) return typeof (r.body as { code?: unknown }).code === 'string';
          return true;
        },
      ),
      { seed, numRuns: 150 },
    );
    assert.is((await callControl(addr, 'GET', '/v1/state?chips=false')).status, 200, 'still serving');
  } finally {
    await server.close();
    await m.stop();
  }
});

test('wire keys: camelCase with units becomes snake_case', () => {
  assert.is(snake('hashrateHps'), 'hashrate_hps');
  assert.is(snake('freqsMHz'), 'freqs_mhz');
  assert.is(snake('stableLimitMHz'), 'stable_limit_mhz');
  assert.is(snake('efficiencyJoulesPerMH'), 'efficiency_joules_per_mh');
  assert.is(snake('boardC'), 'board_c');
});

test.run();
