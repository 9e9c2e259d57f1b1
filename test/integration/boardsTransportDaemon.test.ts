/**
 * Every hash-board backend and transport either gives the mining pipeline chains that mine, or
 * fails its start with a clear KabosuError and every board off: never a mining component
 * "running" on zero chains with the boards powered.
 *
 * 1. The daemon as a process with `hashboards.sim.transport: "pty"`: shares accepted on every chain.
 * 2. The daemon's components (buildComponents + Lifecycle, as `kabosu run` wires them) for each
 *    backend x transport: sim/stream, sim/pty, sim-remote (a `kabosu sim run --pty --hal`
 *    process), linux (on this host: no /dev/i2c-0, so no boards): mining running with every chain up, or mining
 *    degraded with a KBS_E_ code and nothing powered (BoardPower, and the simulator's truth).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildInProcess } from '../helpers/inProcessComponents';
import { Lifecycle } from '../../src/app/lifecycle';
import type { MiningComponent } from '../../src/app/mining';
import { validateConfigText } from '../../src/config/validate';
import type { DaemonStatus } from '../../src/core/minerApi';
import { startTestPool } from '../../src/pool';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';
import { until } from '../helpers/until';

let pty = true;
try {
  const { PtyMaster } = require('../../src/native/pty') as typeof import('../../src/native/pty');
  new PtyMaster().close();
} catch (e) {
  pty = false;
  console.log(`PTY transport cases skipped: native addon not built (${(e as Error).message})`);
}

if (pty) {
  test('the daemon with hashboards.sim.transport "pty" gets accepted shares on every chain', async () => {
    const p = new KabosuProcs('kabosu-ptyd-');
    try {
      const port = await freePort();
      const cfgPath = join(p.dir, 'config.json');
      const dataDir = join(p.dir, 'data');
      writeFileSync(cfgPath, JSON.stringify({
        version: 1, mining: { enabled: true },
        pools: [{ name: 'p', url: `stratum+tcp://127.0.0.1:${port}`, user: 'w.1', password: 'x' }],
        hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 5, pow: 'scrypt-sim', transport: 'pty' } },
        testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 1024 },
        api: { http: { enabled: false }, cgminer: { enabled: false } },
        logging: { level: 'info' },
      }));
      p.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
      const acceptedChains = (): Set<number> => {
        const s = new Set<number>();
        for (const l of p.daemonOut.split('\n')) {
          if (!l.includes('"msg":"share accepted"')) continue;
          try { s.add((JSON.parse(l) as { chain: number }).chain); } catch { /* a partial line */ }
        }
        return s;
      };
      await until('accepted shares on all 4 chains', () => acceptedChains().size === 4, 120_000, { everyMs: 250, detail: () => `${[...acceptedChains()]}\n${p.daemonOut.slice(-3000)}` });
      const r = spawnSync(process.execPath, [p.bin, 'status', '--json', '--data-dir', dataDir], { encoding: 'utf8', env: p.env, cwd: p.dir });
      assert.is(r.status, 0, r.stderr);
      const st = JSON.parse(r.stdout) as DaemonStatus;
      assert.equal(st.chains.map((c) => c.chips_found), [72, 72, 72, 72]);
      assert.is(st.components.find((c) => c.name === 'mining')?.state, 'running');
    } finally {
      await p.cleanup();
    }
  });
}

type Outcome = { mining: string; error?: string; chainsReady: number; chains: number; powered: boolean[]; simPowered?: boolean[] };

/** Starts the daemon's components for `hashboards` the way `kabosu run` does; reports mining's outcome. */
async function startWith(hashboards: Record<string, unknown>): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-hbcombo-'));
  const pool = await startTestPool({ pow: 'scrypt-sim', difficulty: 4096 });
  const { config } = validateConfigText(JSON.stringify({
    version: 1, mining: { enabled: true },
    pools: [{ name: 'a', url: pool.url, user: 'w', password: 'x' }],
    hashboards,
    api: { http: { enabled: false }, cgminer: { enabled: false } },
  }), 'test');
  const { clock, logRoot, built, sim } = await buildInProcess(config, dir);
  const life = new Lifecycle(logRoot.child('lifecycle'), clock);
  for (const c of built.components) life.add(c);
  try {
    await life.start();
    const m = life.status().find((c) => c.name === 'mining')!;
    const mining = built.components.find((c) => c.name === 'mining') as unknown as MiningComponent;
    const power = mining.power;
    const chains = mining.board?.hashBoard.chains ?? 0;
    return {
      mining: m.state,
      error: m.error,
      chains,
      chainsReady: mining.core?.chains.filter((c) => c.ready).length ?? 0,
      powered: Array.from({ length: chains }, (_, b) => power?.isEnabled(b) ?? false),
      simPowered: sim?.control.state().chains.map((c) => c.powered),
    };
  } finally {
    await life.stop();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertChainsOrClearFailure(name: string, o: Outcome): void {
  const detail = `${name}: ${JSON.stringify(o)}`;
  if (o.mining === 'running') {
    assert.ok(o.chains > 0 && o.chainsReady === o.chains, `running means every chain mining: ${detail}`);
    return;
  }
  assert.is(o.mining, 'degraded', detail);
  assert.match(o.error ?? '', /boards (stay|powered) off/, detail);
  assert.ok(o.powered.every((x) => !x), `no board powered after a failed start: ${detail}`);
  if (o.simPowered) assert.ok(o.simPowered.every((x) => !x), `simulator truth: nothing powered: ${detail}`);
}

test('every hashboards backend x transport yields mining chains or fails with a clear error, boards off', async () => {
  const seen: Record<string, Outcome> = {};
  seen['sim/stream'] = await startWith({ backend: 'sim', model: 'l3plus', sim: { seed: 2, pow: 'scrypt-sim', transport: 'stream' } });
  if (pty) seen['sim/pty'] = await startWith({ backend: 'sim', model: 'l3plus', sim: { seed: 2, pow: 'scrypt-sim', transport: 'pty' } });
  seen.linux = await startWith({ backend: 'linux', model: 'l3plus' });
  if (pty) {
    const p = new KabosuProcs('kabosu-hbremote-');
    try {
      const sim = p.start(['sim', 'run', '--board', 'l3plus', '--seed', '2', '--pty', '--json', '--control', `unix:${join(p.dir, 'ctl.sock')}`, '--hal', `unix:${join(p.dir, 'hal.sock')}`]);
      const info = JSON.parse(await sim.firstLine) as { hal: string; ptys: string[] };
      seen['sim-remote'] = await startWith({ backend: 'sim-remote', model: 'l3plus', simRemote: { hal: info.hal, ptys: info.ptys, pow: 'scrypt-sim' } });
    } finally {
      await p.cleanup();
    }
  }
  for (const [name, o] of Object.entries(seen)) assertChainsOrClearFailure(name, o);
  // The simulated transports do mine; the Linux backend cannot open this host's hardware (clear error).
  assert.is(seen['sim/stream']!.mining, 'running');
  if (pty) assert.is(seen['sim/pty']!.mining, 'running', JSON.stringify(seen['sim/pty']));
  assert.match(seen.linux!.error!, /no hash boards/);
});

test.run();
