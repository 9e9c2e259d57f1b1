/**
 * /metrics of a daemon right after start, scraped over a real socket: every
 * `kabosu_shares_total{result=...}` series exists at 0 before any share (so an alert on the first
 * reject sees a 0 -> 1 change), the uptime is in base units (`kabosu_uptime_seconds`), and
 * `promtool check metrics` (Debian's prometheus package) reports nothing at all.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';

const procs = new KabosuProcs('kabosu-metrics-');
let base = '';

/** The rejection reasons /metrics labels (src/api/http/metrics.ts), each a series of its own. */
const REASONS = ['stale', 'duplicate', 'low_difficulty', 'job_not_found', 'unauthorized', 'other'];

test.before(async () => {
  // The pool port has no listener: no share can be accepted or rejected before the scrape.
  const [deadPool, httpPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${httpPort}`;
  const cfgPath = join(procs.dir, 'config.json');
  writeFileSync(cfgPath, JSON.stringify({
    version: 1,
    device: { id: 'metrics-test', name: 'metrics test' },
    mining: { enabled: true },
    pools: [{ name: 'nowhere', url: `stratum+tcp://127.0.0.1:${deadPool}`, user: 'w.1' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 3, pow: 'scrypt-sim', transport: 'stream' } },
    api: { http: { enabled: true, host: '127.0.0.1', port: httpPort }, cgminer: { enabled: false } },
    logging: { level: 'info' },
  }));
  procs.daemon(['run', '--config', cfgPath, '--data-dir', join(procs.dir, 'data')]);
  await procs.waitFor(/HTTP API listening/, 30_000);
});

test.after(() => procs.cleanup());

test('right after start every kabosu_shares_total result series is present at 0 and promtool is silent', async () => {
  const r = await fetch(`${base}/metrics`);
  assert.is(r.status, 200);
  const text = await r.text();
  assert.match(text, /^kabosu_shares_total\{result="accepted"\} 0$/m);
  for (const reason of REASONS) {
    assert.match(text, new RegExp(`^kabosu_shares_total\\{result="rejected",reason="${reason}"\\} 0$`, 'm'), `rejected/${reason} at 0`);
  }
  assert.match(text, /^# TYPE kabosu_uptime_seconds gauge$/m);
  assert.match(text, /^kabosu_uptime_seconds \d+/m);
  assert.not.match(text, /kabosu_up_seconds/, 'the old name is gone');
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.is(lint.error, undefined, 'promtool runs (Debian package prometheus)');
  assert.is(lint.status, 0, `promtool: ${lint.stdout}${lint.stderr}`);
  assert.is(`${lint.stdout}${lint.stderr}`.trim(), '', 'no naming warnings (the fan _rpm exception is documented and promtool does not flag it)');
});

test.run();
