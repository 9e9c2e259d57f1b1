import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { DigestAuth, MD5, parseDigestHeader } from '../../../src/api/http/cgi/digest';
import { parseProcNetRoute, parseResolvConf, type HostFacts } from '../../../src/api/http/cgi/hostNetwork';
import { minerConf, systemInfo } from '../../../src/api/http/cgi/stockShapes';
import { cgiWanted } from '../../../src/api/http/cgi/component';
import { ConfigInvalidError, validateConfigData } from '../../../src/config';
import { l3Status } from './cgminerFixture';

const sampleStatus = () => l3Status({ thermal: true, power: true });

/** RFC 7616 digest (server side), the host-file parsers and the stock CGI bodies. */
let nowMs = 1_000_000;
const realm = 'antMiner';
const mk = () => new DigestAuth({ realm, nowMs: () => nowMs, nonceTtlMs: 60_000 });

function answer(challenge: string, o: { method?: string; uri?: string; user?: string; password: string; nc?: number; qop?: boolean }): string {
  const c = parseDigestHeader(challenge)!;
  const method = o.method ?? 'POST';
  const uri = o.uri ?? '/cgi-bin/blink.cgi';
  const user = o.user ?? 'root';
  const ha1 = MD5(`${user}:${c.realm}:${o.password}`);
  const ha2 = MD5(`${method}:${uri}`);
  if (o.qop === false) return `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", response="${MD5(`${ha1}:${c.nonce}:${ha2}`)}"`;
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  return `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="abc", response="${MD5(`${ha1}:${c.nonce}:${nc}:abc:auth:${ha2}`)}"`;
}

test('RFC 7616 example: MD5 response for Mufasa / Circle of Life (§3.9.1)', () => {
  // The RFC's MD5 example: realm http-auth@example.org, GET /dir/index.html, qop auth.
  const ha1 = MD5('Mufasa:http-auth@example.org:Circle of Life');
  const ha2 = MD5('GET:/dir/index.html');
  const r = MD5(`${ha1}:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:${ha2}`);
  assert.is(r, '8ca523f5e9506fed4657c9700eebdbec');
});

test('a correct answer to the challenge authenticates; wrong password, user, uri or method do not', () => {
  const a = mk();
  const ch = a.challenge();
  assert.match(ch, /^Digest realm="antMiner", qop="auth", algorithm=MD5, nonce="[0-9a-f]+\.[0-9a-f]{32}", opaque="/);
  assert.equal(a.verify(answer(ch, { password: 'pw' }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw'), { ok: true, username: 'root' });
  assert.is(a.verify(answer(ch, { password: 'nope', nc: 2 }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw').ok, false);
  assert.is(a.verify(answer(ch, { password: 'pw', user: 'admin', nc: 3 }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw').ok, false);
  assert.is(a.verify(answer(ch, { password: 'pw', nc: 4 }), 'POST', '/cgi-bin/reboot.cgi', 'root', 'pw').ok, false, 'credentials for another URI');
  assert.is(a.verify(answer(ch, { password: 'pw', nc: 5 }), 'GET', '/cgi-bin/blink.cgi', 'root', 'pw').ok, false, 'credentials for another method');
  assert.is(a.verify(answer(ch, { password: 'pw', qop: false }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw').ok, true, 'RFC 2617 form without qop');
});

test('a replayed nonce count is refused; an expired nonce is stale only with a right answer', () => {
  const a = mk();
  const ch = a.challenge();
  const h = answer(ch, { password: 'pw', nc: 1 });
  assert.is(a.verify(h, 'POST', '/cgi-bin/blink.cgi', 'root', 'pw').ok, true);
  assert.equal(a.verify(h, 'POST', '/cgi-bin/blink.cgi', 'root', 'pw'), { ok: false, stale: false, why: 'nonce count replayed' });
  assert.is(a.verify(answer(ch, { password: 'pw', nc: 2 }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw').ok, true);
  nowMs += 61_000;
  assert.equal(a.verify(answer(ch, { password: 'pw', nc: 3 }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw'), { ok: false, stale: true, why: 'nonce expired' });
  assert.equal(a.verify(answer(ch, { password: 'bad', nc: 4 }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw'), { ok: false, stale: false, why: 'wrong user or password' });
  // A nonce minted by another key (another process) is unknown.
  const other = new DigestAuth({ realm, nowMs: () => nowMs });
  assert.is(a.verify(answer(other.challenge(), { password: 'pw' }), 'POST', '/cgi-bin/blink.cgi', 'root', 'pw').ok, false);
});

test('fuzz: parseDigestHeader and verify never throw on random headers (seeded)', () => {
  const a = mk();
  const seed = Number(process.env.FC_SEED ?? Date.now() % 1e9);
  try {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map((s) => `Digest ${s}`), fc.array(fc.tuple(fc.constantFrom('username', 'realm', 'nonce', 'uri', 'response', 'qop', 'nc', 'cnonce', 'algorithm'), fc.string())).map((kv) => `Digest ${kv.map(([k, v]) => `${k}="${v}"`).join(', ')}`)), (h) => {
      parseDigestHeader(h);
      assert.is(a.verify(h, 'POST', '/x', 'root', 'pw').ok, false);
    }), { seed, numRuns: 2000 });
  } catch (e) {
    throw new Error(`FC_SEED=${seed}: ${(e as Error).message}`);
  }
});

test('/proc/net/route default gateway (little-endian hex) and resolv.conf nameservers', () => {
  const route = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\neth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
  assert.equal(parseProcNetRoute(route), { iface: 'eth0', gateway: '192.168.0.1' });
  assert.is(parseProcNetRoute('Iface\tDestination\n'), undefined);
  assert.is(parseResolvConf('# x\nnameserver 1.1.1.1\nsearch lan\n nameserver 8.8.8.8\n'), '1.1.1.1 8.8.8.8');
});

const host: HostFacts = { hostname: 'rig', netdevice: 'eth0', macaddr: 'AA:BB:CC:DD:EE:FF', ipaddress: '10.0.0.5', netmask: '255.255.255.0', gateway: '10.0.0.1', dnsservers: '10.0.0.1', nettype: 'DHCP', kernel: 'Linux 6.1', uptimeS: 5, loadavg: [0.1, 0.2, 0.3], memTotalKb: 1000, memFreeKb: 400 };

test('get_system_info body: stock keys, L3+ type, host facts as given', () => {
  const s = systemInfo(sampleStatus(), host, 0);
  assert.is(s.minertype, 'Antminer L3+');
  assert.is(s.macaddr, 'AA:BB:CC:DD:EE:FF');
  assert.is(s.loadaverage, '0.10, 0.20, 0.30');
  assert.is(s.mem_used, 600);
  for (const k of ['nettype', 'netdevice', 'hostname', 'ipaddress', 'netmask', 'gateway', 'dnsservers', 'system_mode', 'system_kernel_version', 'system_filesystem_version', 'firmware_type']) assert.type(s[k], 'string', k);
});

test('get_miner_conf body: three pool slots, pass always "", work mode from state, fan mode', () => {
  const st = sampleStatus();
  const conf = { pools: [{ name: 'a', url: 'stratum+tcp://a:1', user: 'u.1', password: '***' }], thermal: { mode: 'manual', manualDuty: 70 }, api: { cgminer: { allow: ['127.0.0.1', 'W:10.0.0.0/8'] } } };
  const c = minerConf(st, conf) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(c.pools, [{ url: 'stratum+tcp://a:1', user: 'u.1', pass: '' }, { url: '', user: '', pass: '' }, { url: '', user: '', pass: '' }]);
  assert.not.ok(JSON.stringify(c).includes('***'));
  assert.is(c['api-allow'], '127.0.0.1,W:10.0.0.0/8');
  assert.is(c['bitmain-work-mode'], st.state === 'mining' ? '0' : '1');
  const paused = minerConf({ ...st, state: 'paused', thermal: undefined }, conf) as Record<string, unknown>;
  assert.is(paused['bitmain-work-mode'], '1');
  assert.is(paused['bitmain-fan-ctrl'], true);
  assert.is(paused['bitmain-fan-pwm'], '70');
});

test('config: api.cgi on the HTTP API port is refused; auto is on only with real boards and the L3+ personality', () => {
  const base = { version: 1, api: { http: { host: '0.0.0.0', port: 8080 }, cgi: { enabled: true, port: 8080 } } };
  try {
    validateConfigData(base, 't');
    assert.unreachable('a port clash is refused');
  } catch (e) {
    assert.instance(e, ConfigInvalidError);
    assert.ok((e as ConfigInvalidError).issues.some((i) => i.pointer === '/api/cgi/port'), JSON.stringify((e as ConfigInvalidError).issues));
  }
  const cfg = (over: Record<string, unknown>) => validateConfigData({ version: 1, ...over }, 't').config;
  assert.is(cgiWanted(cfg({})).on, false, 'auto with simulated boards: off');
  assert.is(cgiWanted(cfg({ hashboards: { backend: 'linux' } })).on, true, 'auto with real boards: on (port 80)');
  assert.is(cgiWanted(cfg({ hashboards: { backend: 'linux' }, api: { cgminer: { personality: 'kabosu' } } })).on, false, 'kabosu personality: off');
  assert.is(cgiWanted(cfg({ api: { cgi: { enabled: true, port: 8081 } } })).on, true);
  assert.is(cfg({}).api.cgi.port, 80);
});

test.run();
