/**
 * The daemon as a process on the in-process simulator (physics sped up 50x):
 * - `kabosu status --json` shows each board's PCB temperature (`thermal.boards[].board_temp_c`),
 *   the TMP451 local readings the thermal loop takes, matching the simulator's truth;
 * - the room gets dangerously hot (simulator fault ambient-step to 100 °C): the thermal policy
 *   reaches `dangerous` and says so (a critical `thermal_throttle` at level dangerous, the scale
 *   at its minimum), and the interlock, the one owner of powering boards off, powers every board
 *   off (`interlock_trip` over_temp, simulator truth: nothing powered).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonStatus } from '../../src/core/minerApi';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';
import { until } from '../helpers/until';

const p = new KabosuProcs('kabosu-thdanger-');
const cfgPath = join(p.dir, 'config.json');
const dataDir = join(p.dir, 'data');
const ctl = `unix:${join(dataDir, 'sim.sock')}`;

function kabosu(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [p.bin, ...args], { encoding: 'utf8', env: p.env, cwd: p.dir });
}
const status = (): DaemonStatus => {
  const r = kabosu(['status', '--json', '--data-dir', dataDir]);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as DaemonStatus;
};
/** The simulator's true state (wire form: snake_case keys). */
interface WireState { ambient_c: number; chains: Array<{ powered: boolean; sensors: Array<{ local_c: number }> }> }
const truth = (): WireState => {
  const r = kabosu(['sim', 'state', '--json', '--control', ctl]);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as WireState;
};
/** Parsed log lines of the daemon's event log with this kind. */
const events = (kind: string): Array<{ msg: string; data?: Record<string, unknown>; level: number }> =>
  p.daemonOut.split('\n').filter((l) => l.includes(`"kind":"${kind}"`)).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });

test.before(async () => {
  const port = await freePort();
  writeFileSync(cfgPath, JSON.stringify({
    version: 1, mining: { enabled: true },
    pools: [{ name: 'p', url: `stratum+tcp://127.0.0.1:${port}`, user: 'w.1', password: 'x' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 8, pow: 'scrypt-sim', transport: 'stream', timeScale: 50 } },
    testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 4096 },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    logging: { level: 'info' },
  }));
  p.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
  await p.waitFor(/"msg":"share accepted"/, 90_000);
});

test.after(() => p.cleanup());

test('status shows every board\'s PCB temperature, as the simulator\'s board sensors read it', async () => {
  // A few thermal ticks at the current temperatures.
  await new Promise((r) => setTimeout(r, 1500));
  const s = status();
  const t = truth();
  assert.is(s.thermal!.boards.length, 4);
  for (const b of s.thermal!.boards) {
    const c = b.board_temp_c;
    assert.type(c, 'number', `board ${b.index}: ${JSON.stringify(b)}`);
    const local = Math.max(...t.chains[b.index]!.sensors.map((x) => x.local_c));
    // The sim runs 50x: allow for the temperature moving between the daemon's read and ours.
    assert.ok(Math.abs(c! - local) < 3, `board ${b.index}: status ${c} °C, simulator PCB sensors ${local} °C`);
    assert.ok(c! > t.ambient_c - 1 && c! <= b.chip_temp_c! + 0.01, `board ${b.index}: ${c} °C between ambient ${t.ambient_c} and chip ${b.chip_temp_c}`);
  }
});

test('dangerously hot: the policy reports dangerous (minimum scale), the interlock powers every board off', async () => {
  const f = kabosu(['sim', 'fault', 'ambient-step', '--param', 'to_c=100', '--control', ctl]);
  assert.is(f.status, 0, f.stderr);
  await until('every board powered off', () => truth().chains.every((c) => !c.powered), 60_000, { everyMs: 500, detail: () => p.daemonOut.slice(-3000) });
  await until('dangerous reported', () => events('thermal_throttle').some((e) => e.data?.level === 'dangerous'), 20_000, { everyMs: 250, detail: () => p.daemonOut.slice(-3000) });
  const danger = events('thermal_throttle').find((e) => e.data?.level === 'dangerous')!;
  assert.is(danger.level, 50, 'a critical event (logged at error)');
  assert.is(danger.data!.scale, 0.5);
  const trips = events('interlock_trip');
  assert.equal([...new Set(trips.map((e) => e.data!.board))].sort(), [0, 1, 2, 3], JSON.stringify(trips));
  assert.ok(trips.every((e) => e.data!.reason === 'over_temp'), JSON.stringify(trips));
  const s = status();
  assert.ok(s.thermal!.boards.every((b) => b.state === 'tripped'), JSON.stringify(s.thermal!.boards));
  assert.ok(s.thermal!.boards.every((b) => b.throttle_pct === 50), JSON.stringify(s.thermal!.boards));
  assert.ok(s.thermal!.interlock.trips >= 4);
});

test.run();
