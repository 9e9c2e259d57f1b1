/**
 * Issue #26: a pool whose FIRST difficulty is unusable (1.7e308, 0, NaN-like) left the miner in
 * `waiting-for-work` at 0 H/s for good, never failing over to a healthy backup. The daemon as a
 * process, a scripted hostile primary (every connection: subscribe reply + hostile
 * set_difficulty + notify in one write) and the built-in test pool as backup: the daemon stays
 * up, mines accepted shares on the backup, and names the hostile pool's fault.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';
import { runConfiguredDaemon } from '../helpers/configuredDaemon';
import { notifyParams, rawPool, subscribeReply, type RawPool } from '../helpers/rawPool';

for (const hostile of ['1.7e308', '0', '1e400']) {
  test(`first difficulty ${hostile} on the primary: the daemon fails over and mines on the backup`, async () => {
    const k = new KabosuProcs('kabosu-hostile1-');
    let pool: RawPool | undefined;
    try {
      pool = await rawPool((c, m) => {
        if (m.method === 'mining.subscribe') {
          c.sock.write(`${JSON.stringify(subscribeReply(c, m.id))}\n{"id":null,"method":"mining.set_difficulty","params":[${hostile}]}\n{"id":null,"method":"mining.notify","params":${JSON.stringify(notifyParams(`h${c.n}`))}}\n`);
        } else if (m.method === 'mining.authorize' || m.method === 'mining.configure' || m.method === 'mining.suggest_difficulty') {
          c.write({ id: m.id, result: true, error: null });
        }
      });
      const [backupPort, httpPort] = [await freePort(), await freePort()];
      const { statusWhen } = await runConfiguredDaemon(k, {
        version: 1, mining: { enabled: true },
        pools: [
          { name: 'hostile', url: pool.url, user: 'w.1', password: 'x', priority: 0 },
          { name: 'backup', url: `stratum+tcp://127.0.0.1:${backupPort}`, user: 'w.1', password: 'x', priority: 1 },
        ],
        hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 5, pow: 'scrypt-sim', transport: 'stream' } },
        testPool: { enabled: true, host: '127.0.0.1', port: backupPort, pow: 'scrypt-sim', difficulty: 4096 },
        api: { http: { enabled: true, host: '127.0.0.1', port: httpPort }, cgminer: { enabled: false } },
        logging: { level: 'info' },
      }, httpPort);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const s = await statusWhen((x: any) => (x.pools ?? []).some((p: any) => p.name === 'backup' && p.accepted >= 3), 60_000);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const backup = s.pools.find((p: any) => p.name === 'backup');
      assert.ok(backup && backup.accepted >= 3, `${JSON.stringify(s.pools)}\n${k.daemonOut.slice(-2500)}`);
      assert.ok(backup.active, 'the backup is the active pool');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const bad = s.pools.find((p: any) => p.name === 'hostile');
      assert.is(bad.accepted, 0);
      assert.ok(pool.conns.length >= 1, 'the hostile pool was tried');
      assert.is(pool.got.filter((m) => m.method === 'mining.submit').length, 0, 'nothing was mined on the hostile job');
      assert.match(k.daemonOut, /unusable mining.set_difficulty|pool difficulty unusable/);
      assert.not.match(k.daemonOut, /RangeError|uncaught/i);
    } finally {
      await pool?.close();
      await k.cleanup();
    }
  });
}

test.run();
