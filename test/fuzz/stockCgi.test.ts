import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import pino from 'pino';
import { StockCgiServer } from '../../src/api/http/cgi/server';
import { DaemonControl } from '../../src/app/control';
import { validateConfigData } from '../../src/config';
import { devConfig } from '../../src/app/devConfig';
import type { HostFacts } from '../../src/api/http/cgi/hostNetwork';
import { l3Status } from '../unit/api/cgminerFixture';

/**
 * Random methods, CGI names, queries, bodies (JSON, forms, junk) and Authorization headers
 * against the stock CGI server over a real socket: every reply is JSON with a status below 500
 * (501 for unsupported CGIs), nothing but a correct digest answer gets past a write, and no
 * reply carries the configured password. Seeded; FUZZ_SEED=<n> replays.
 */
const PASSWORD = 'fuzz-cgi-pw';
const cfg = validateConfigData(devConfig(), 'dev').config;
const status = l3Status({ thermal: true, power: true });
let identifies = 0;
const control = new DaemonControl({ status: () => status, config: () => cfg, identify: async (s) => (identifies++, `blink ${s}`) });
const host: HostFacts = { hostname: 'h', netdevice: 'eth0', macaddr: '', ipaddress: '', netmask: '', gateway: '', dnsservers: '', nettype: '', kernel: 'Linux', uptimeS: 1, loadavg: [0, 0, 0], memTotalKb: 1, memFreeKb: 1 };
const server = new StockCgiServer({ control, log: pino({ level: 'silent' }), password: () => PASSWORD, host: () => host });
let base = '';

test.before(async () => {
  const a = await server.listen('127.0.0.1', 0);
  base = `http://127.0.0.1:${a.port}`;
});
test.after(() => server.close());

const NAMES = ['get_system_info', 'get_miner_conf', 'get_miner_status', 'get_blink_status', 'blink', 'reboot', 'set_miner_conf', 'set_network_conf', 'nope', '../etc/passwd'];

test('no request shape gets a 500, a non-JSON reply, a write without credentials, or the password', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT'),
        fc.constantFrom(...NAMES),
        fc.oneof(fc.constant(''), fc.string().map((s) => '?action=' + encodeURIComponent(s))),
        fc.oneof(fc.constant(undefined), fc.json(), fc.string(), fc.constantFrom('action=startBlink', 'action=stopBlink', 'action=onPageLoaded', '{"blink":"true"}', '{"blink":"false"}', '[1]', '{')),
        fc.oneof(fc.constant(undefined), fc.string().map((s) => `Digest ${s}`), fc.string().map((s) => `Digest username="root", realm="antMiner", nonce="${s}", uri="/", response="00", qop=auth, nc=00000001, cnonce="x"`)),
        async (method, name, query, body, auth) => {
          const before = identifies;
          const r = await fetch(`${base}/cgi-bin/${name}.cgi${query}`, { method, headers: auth ? { authorization: auth } : {}, body: method === 'GET' ? undefined : body });
          const text = await r.text();
          assert.ok(r.status < 500 || r.status === 501, `${method} ${name}${query} -> ${r.status} ${text}`);
          assert.type(JSON.parse(text), 'object');
          assert.not.ok(text.includes(PASSWORD));
          assert.is(identifies, before, 'no blink without a valid digest answer');
          if (r.status === 401) assert.match(r.headers.get('www-authenticate') ?? '', /^Digest realm="antMiner"/);
        },
      ),
      { seed, numRuns: 300 },
    );
  } catch (e) {
    throw new Error(`FUZZ_SEED=${seed}: ${(e as Error).message}`);
  }
});

test('a body over 16 KiB is refused with 413', async () => {
  const r = await fetch(`${base}/cgi-bin/blink.cgi`, { method: 'POST', body: 'x'.repeat(20_000) });
  assert.is(r.status, 413);
});

test.run();
