import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildInProcess } from '../helpers/inProcessComponents';
import { validateConfigText } from '../../src/config/validate';
import { startTestPool } from '../../src/pool';
import type { SimMiner } from '../../src/sim';
import { until } from '../helpers/until';

/**
 * The thermal interlock watches from the first volt: the daemon's components start thermal
 * before mining, so a sensor that goes bad while mining is still starting (powered, settling,
 * before any chain is up) gets its board powered off then, not once mining has finished starting.
 * Checked on the simulator's true state.
 */
/** The daemon's components over the in-process simulator and a test pool (not started). */
async function rig(tag: string) {
  const dir = mkdtempSync(join(tmpdir(), `kabosu-${tag}-`));
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 4096 });
  const { config } = validateConfigText(JSON.stringify({
    version: 1, mining: { enabled: true },
    pools: [{ name: 'a', url: pool.url, user: 'w', password: 'x' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 9, pow: 'scrypt-sim', transport: 'stream' } },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
  }), 'test');
  const { built, status, sim } = await buildInProcess(config, dir);
  const b = built;
  return {
    built: b,
    status,
    sim: (): SimMiner => sim!,
    close: async () => {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a board that trips while mining is still starting is powered off before mining finished starting', async () => {
  const r = await rig('thfirst');
  const { built, status } = r;
  const names = built.components.map((c) => c.name);
  assert.ok(names.indexOf('thermal') < names.indexOf('mining'), `thermal starts before mining: ${names.join(', ')}`);
  const ac = new AbortController();
  const started: typeof built.components = [];
  let miningStart: Promise<void> | undefined;
  try {
    let miningStarted = false;
    for (const c of built.components) {
      if (c.name === 'mining') {
        miningStart = Promise.resolve(c.start(ac.signal)).then(() => void (miningStarted = true));
        started.push(c);
        break;
      }
      await c.start(ac.signal);
      started.push(c);
    }
    const sim = r.sim();
    const powered = (b: number) => sim.control.state().chains[b].powered;
    await until('mining powers every board', () => [0, 1, 2, 3].every(powered), 10_000);
    assert.not.ok(miningStarted, 'mining is still starting (settling after power-on)');
    sim.control.inject({ fault: 'sensor-implausible', target: { chain: 0, sensor: 0 }, params: {} } as never);
    const t0 = Date.now();
    await until('board 0 powered off by the interlock', () => !powered(0), 2_000);
    const ms = Date.now() - t0;
    assert.not.ok(miningStarted, `off within ${ms} ms, while mining was still starting`);
    assert.ok(powered(1) && powered(2) && powered(3), `the other boards stay on: ${JSON.stringify([0, 1, 2, 3].map(powered))} ${JSON.stringify(status().thermal?.interlock)}`);
    await miningStart!.catch(() => undefined);
    const st = status();
    assert.is(st.thermal?.interlock.last_trip?.board, 0);
    assert.is(st.thermal?.interlock.last_trip?.reason, 'implausible_reading');
    assert.not.ok(powered(0), 'locked off: mining does not power it again');
  } finally {
    await miningStart?.catch(() => undefined); // never stop a component halfway through its start
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await r.close();
  }
});

test('with both fans seized before start, mining refuses to power any board', async () => {
  const r = await rig('thfans');
  const { built } = r;
  const ac = new AbortController();
  const started: typeof built.components = [];
  try {
    let failure: Error | undefined;
    for (const c of built.components) {
      if (c.name === 'sim-boards') {
        await c.start(ac.signal);
        started.push(c);
        for (const fan of [0, 1]) r.sim().control.inject({ fault: 'fan-seized', target: { fan }, params: {} } as never);
        continue;
      }
      if (c.name === 'mining') {
        failure = await Promise.resolve(c.start(ac.signal)).then(() => undefined, (e: Error) => e);
        break;
      }
      await c.start(ac.signal);
      started.push(c);
    }
    assert.match(String(failure?.message), /fans are not turning/);
    assert.equal(r.sim().control.state().chains.map((ch) => ch.powered), [false, false, false, false], 'no board was powered');
  } finally {
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await r.close();
  }
});

test.run();
