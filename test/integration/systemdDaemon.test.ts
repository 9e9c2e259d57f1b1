import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startNotifyReceiver } from '../helpers/notifyReceiver';
import { until } from '../helpers/until';

/**
 * `kabosu run` under systemd's notification protocol (the unit is Type=notify, WatchdogSec):
 * a real unix datagram socket as NOTIFY_SOCKET receives READY=1 once the daemon answers on its
 * control socket, WATCHDOG=1 at half of WATCHDOG_USEC, and STOPPING=1 on SIGTERM.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-systemd-'));
const cfgPath = join(dir, 'config.json');
const dataDir = join(dir, 'data');

test('READY=1 when up, watchdog pings from the event loop, STOPPING=1 on SIGTERM', async () => {
  writeFileSync(cfgPath, JSON.stringify({
    version: 1,
    device: { id: 'systemd-test' },
    mining: { enabled: true },
    pools: [{ name: 'main', url: 'stratum+tcp://127.0.0.1:9', user: 'me.w1' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 5, pow: 'scrypt-sim', transport: 'stream' } },
    testPool: { enabled: false },
    api: { http: { enabled: false }, cgminer: { enabled: false } },
    logging: { level: 'warn' },
  }));
  const sock = join(dir, 'notify.sock');
  const rx = await startNotifyReceiver(sock);
  const env = { ...process.env, NOTIFY_SOCKET: sock, WATCHDOG_USEC: '300000' } as NodeJS.ProcessEnv;
  for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
  const daemon = spawn(process.execPath, [bin, 'run', '--config', cfgPath, '--data-dir', dataDir], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  daemon.stdout!.on('data', (d) => (out += d));
  daemon.stderr!.on('data', (d) => (out += d));
  const detail = (): string => `received ${JSON.stringify(rx.got)}; log:\n${out.slice(-2000)}`;
  try {
    await until('READY=1', () => rx.got.length > 0, 30_000, { detail });
    assert.match(rx.got[0], /^READY=1\nSTATUS=running: sim l3plus/);
    // Ready means ready: the control socket answers at once.
    const st = spawnSync(process.execPath, [bin, 'status', '--json', '--config', cfgPath, '--data-dir', dataDir], { encoding: 'utf8', env });
    assert.is(st.status, 0, st.stderr);
    const t0 = Date.now();
    await until('four watchdog pings', () => rx.got.filter((m) => m === 'WATCHDOG=1').length >= 4, 5_000, { detail });
    const perPing = (Date.now() - t0) / 4;
    assert.ok(perPing < 300, `pings every ~150 ms (half of WATCHDOG_USEC), got ${perPing.toFixed(0)} ms`);
    daemon.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => daemon.once('exit', r));
    assert.is(code, 0);
    assert.is(rx.got[rx.got.length - 1], 'STOPPING=1', 'STOPPING=1 is the last word');
    assert.ok(rx.got.slice(1, -1).every((m) => m === 'WATCHDOG=1'), JSON.stringify(rx.got));
  } finally {
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
    rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
