import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildComponents } from '../../src/app/components';
import { boardsBackendFor } from '../../src/boards';
import { DaemonControl } from '../../src/app/control';
import { validateConfigText } from '../../src/config/validate';
import { createLogRoot } from '../../src/core/log';
import { RealClock } from '../../src/hal/clock';
import { startTestPool, type TestPool } from '../../src/pool';
import type { DaemonStatus } from '../../src/core/minerApi';

/**
 * End to end: simulated L3+ boards, two test pools, the mining pipeline and :4028 composed as the
 * daemon does; pool and mining commands sent over TCP act on the real pipeline.
 */
function freePort(): Promise<number> {
  return new Promise((res) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); }); });
}
function ask(port: number, req: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(JSON.stringify(req)));
    s.setTimeout(30_000, () => s.destroy(new Error(`no reply to ${JSON.stringify(req)} in 30 s`)));
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(JSON.parse(Buffer.concat(got).subarray(0, -1).toString())));
  });
}
function until(fn: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((res, rej) => { const t0 = Date.now(); const tick = () => fn() ? res() : Date.now() - t0 > ms ? rej(new Error('timeout')) : setTimeout(tick, 20); tick(); });
}

test('switchpool/disablepool/addpool/removepool/poolpriority and pause/resume over :4028 drive the mining pipeline', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-cgm-'));
  const pools: TestPool[] = [await startTestPool({ pow: 'scrypt-sim', difficulty: 4096 }), await startTestPool({ pow: 'scrypt-sim', difficulty: 4096 }), await startTestPool({ pow: 'scrypt-sim', difficulty: 4096 })];
  const apiPort = await freePort();
  const { config } = validateConfigText(JSON.stringify({
    version: 1, mining: { enabled: true },
    pools: [{ name: 'a', url: pools[0].url, user: 'w', password: 'x' }, { name: 'b', url: pools[1].url, user: 'w', password: 'x', priority: 1 }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 3, pow: 'scrypt-sim', transport: 'stream' } },
    api: { http: { enabled: false }, cgminer: { host: '127.0.0.1', port: apiPort } },
  }), 'test');
  const clock = new RealClock();
  const logRoot = createLogRoot({ level: 'silent' });
  let built: ReturnType<typeof buildComponents> | undefined;
  const status = (): DaemonStatus => built!.status({ version: '0.0.0', uptimeS: 1, deviceId: 't', components: [], nowMs: clock.now() });
  const control = new DaemonControl({ status, config: () => config, chips: () => built!.chips(clock.now()) });
  const boards = await boardsBackendFor(config, { clock, log: logRoot.child('boards'), dataDir: dir });
  built = buildComponents({ config, clock, logRoot, dataDir: dir, control, boards });
  const ac = new AbortController();
  for (const c of built.components) await c.start(ac.signal);
  try {
    const active = () => status().pools.find((p) => p.active)?.name;
    await until(() => active() === 'a' && status().pools.every((p) => p.state === 'ready'));
    let r = await ask(apiPort, { command: 'switchpool', parameter: '1' });
    assert.is(r.STATUS[0].Code, 27);
    assert.is(active(), 'b');
    r = await ask(apiPort, { command: 'pools' });
    assert.equal(r.POOLS.map((p: any) => [p.URL, p['Stratum Active']]), [[pools[1].url, true], [pools[0].url, false]]);
    r = await ask(apiPort, { command: 'disablepool', parameter: '0' });
    assert.is(r.STATUS[0].Code, 48);
    assert.is(active(), 'a');
    r = await ask(apiPort, { command: 'disablepool', parameter: '1' });
    assert.equal([r.STATUS[0].STATUS, r.STATUS[0].Code], ['E', 51]); // last enabled pool
    r = await ask(apiPort, { command: 'enablepool', parameter: '0' });
    assert.is(active(), 'b');
    r = await ask(apiPort, { command: 'addpool', parameter: `${pools[2].url},w2,x` });
    assert.is(r.STATUS[0].Code, 55);
    await until(() => status().pools.length === 3 && status().pools[2].state === 'ready');
    r = await ask(apiPort, { command: 'poolpriority', parameter: '2,1' });
    assert.is(r.STATUS[0].Code, 73);
    assert.equal([active(), status().pools.map((p) => p.url)], ['added', [pools[2].url, pools[0].url, pools[1].url]]);
    r = await ask(apiPort, { command: 'removepool', parameter: '0' });
    assert.equal([r.STATUS[0].STATUS, r.STATUS[0].Code], ['E', 67]); // the active one
    r = await ask(apiPort, { command: 'removepool', parameter: '2' });
    assert.is(r.STATUS[0].Code, 68);
    assert.equal(status().pools.map((p) => p.url), [pools[2].url, pools[0].url]);
    r = await ask(apiPort, { command: 'pause' });
    assert.is(r.STATUS[0].STATUS, 'S');
    assert.is(status().state, 'paused');
    await ask(apiPort, { command: 'resume' });
    assert.is.not(status().state, 'paused');
    // Live reload of the pools section.
    const next = validateConfigText(JSON.stringify({ ...JSON.parse(JSON.stringify(config)), pools: [{ name: 'c', url: pools[2].url, user: 'w', password: 'x' }] }), 'test').config;
    const mining = built.components.find((c) => c.name === 'mining')!;
    const rr = await mining.reload!(next);
    assert.ok(rr.applied);
    assert.equal(status().pools.map((p) => [p.name, p.url]), [['c', pools[2].url]]);
  } finally {
    for (const c of [...built.components].reverse()) await c.stop();
    for (const p of pools) await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
