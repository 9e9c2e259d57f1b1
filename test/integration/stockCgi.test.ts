/**
 * The daemon's stock-shaped Antminer CGI port (api.cgi) over a real socket, read the way pyasic's
 * L3+ backend reads it (UpstreamData/pyasic: pyasic/miners/antminer/bmminer/X3/L3.py is
 * `AntminerOld`; pyasic/miners/backends/antminer.py and pyasic/web/antminer.py): HTTP digest auth
 * as root (a real RFC 7616 MD5/qop=auth client below, answering the server's 401 challenge as
 * httpx.DigestAuth does), get_system_info and get_miner_conf carry the fields pyasic reads, no
 * password is ever in a reply, and a write without valid credentials is refused with 401.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KabosuProcs } from '../helpers/kabosuProcs';
import { freePort } from '../helpers/net';

const procs = new KabosuProcs('kabosu-cgi-');
const POOL_SECRET = 'pool-pw-Qz8-never-in-cgi';
const CGI_PASSWORD = 'cgi-pw-Lm3-never-in-cgi';
const replies: string[] = [];
let base = '';

async function poll<T>(f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Parses `Digest a="b", c=d` from a WWW-Authenticate header. */
function parseChallenge(h: string): Record<string, string> {
  assert.match(h, /^Digest /);
  const out: Record<string, string> = {};
  for (const m of h.slice(7).matchAll(/([a-z]+)=(?:"([^"]*)"|([^\s,]+))/gi)) out[m[1].toLowerCase()] = m[2] ?? m[3];
  return out;
}

/** An RFC 7616 §3.4 MD5 digest client: plain request, and on 401 one retry with the credentials. */
async function cgi(method: 'GET' | 'POST', path: string, o: { user?: string; password?: string; body?: string; type?: string; nc?: number; reuse?: { header: string } } = {}): Promise<{ status: number; json: any; text: string; challenge?: Record<string, string>; authHeader?: string }> {
  const headers: Record<string, string> = o.body !== undefined ? { 'content-type': o.type ?? 'application/json' } : {};
  const go = async (auth?: string) => {
    const r = await fetch(base + path, { method, headers: auth ? { ...headers, authorization: auth } : headers, body: o.body });
    const text = await r.text();
    replies.push(text, JSON.stringify([...r.headers]));
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, json, text, www: r.headers.get('www-authenticate') ?? undefined };
  };
  if (o.reuse) return { ...(await go(o.reuse.header)), authHeader: o.reuse.header };
  const first = await go();
  if (first.status !== 401 || o.password === undefined) return { ...first, challenge: first.www ? parseChallenge(first.www) : undefined };
  const ch = parseChallenge(first.www!);
  const user = o.user ?? 'root';
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = md5(`${user}:${ch.realm}:${o.password}`);
  const ha2 = md5(`${method}:${path}`);
  const response = md5(`${ha1}:${ch.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  const header = `Digest username="${user}", realm="${ch.realm}", nonce="${ch.nonce}", uri="${path}", algorithm=MD5, response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}", opaque="${ch.opaque}"`;
  return { ...(await go(header)), challenge: ch, authHeader: header };
}

test.before(async () => {
  const [poolPort, cgiPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${cgiPort}`;
  const cfgPath = join(procs.dir, 'config.json');
  const dataDir = join(procs.dir, 'data');
  writeFileSync(cfgPath, JSON.stringify({
    version: 1,
    device: { id: 'cgi-test', name: 'cgi test' },
    mining: { enabled: true },
    pools: [{ name: 'local', url: `stratum+tcp://127.0.0.1:${poolPort}`, user: 'w.1' }],
    hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 5, pow: 'scrypt-sim', transport: 'stream' } },
    testPool: { enabled: true, host: '127.0.0.1', port: poolPort, pow: 'scrypt-sim', difficulty: 4096 },
    api: { http: { enabled: false }, cgminer: { enabled: false, personality: 'antminer-l3plus' }, cgi: { enabled: true, host: '127.0.0.1', port: cgiPort } },
    logging: { level: 'info' },
  }));
  for (const [path, value] of [['pools/0/password', POOL_SECRET], ['api/cgi/password', CGI_PASSWORD]]) {
    const r = spawnSync(process.execPath, [procs.bin, 'config', 'set-secret', path, '--config', cfgPath, '--data-dir', dataDir], { input: value + '\n', encoding: 'utf8', env: procs.env });
    assert.is(r.status, 0, r.stderr);
  }
  procs.daemon(['run', '--config', cfgPath, '--data-dir', dataDir]);
  await procs.waitFor(/stock Antminer CGI listening/, 30_000);
});

test.after(() => procs.cleanup());

test('get_system_info (digest client) carries the stock fields pyasic and fleet tools read', async () => {
  const r = await cgi('GET', '/cgi-bin/get_system_info.cgi', { password: CGI_PASSWORD });
  assert.is(r.status, 200, r.text);
  const s = r.json;
  for (const k of ['minertype', 'nettype', 'netdevice', 'macaddr', 'hostname', 'ipaddress', 'netmask', 'gateway', 'dnsservers', 'system_mode', 'system_kernel_version', 'system_filesystem_version', 'firmware_type']) {
    assert.type(s[k], 'string', `${k} is a string`);
  }
  assert.is(s.minertype, 'Antminer L3+');
  assert.is(s.hostname, hostname(), 'pyasic _get_hostname reads "hostname"');
  assert.match(s.macaddr, /^([0-9A-F]{2}:){5}[0-9A-F]{2}$|^$/, 'pyasic _get_mac reads "macaddr"');
  assert.match(s.system_kernel_version, /^Linux /);
  assert.match(s.system_filesystem_version, /^kabosu /);
});

test('get_miner_conf: pools with url/user and an empty pass, bitmain-* fields pyasic parses', async () => {
  const c = await poll(async () => {
    const r = await cgi('GET', '/cgi-bin/get_miner_conf.cgi', { password: CGI_PASSWORD });
    assert.is(r.status, 200, r.text);
    return r.json['bitmain-work-mode'] === '0' ? r.json : undefined;
  }, 40_000);
  assert.is(c.pools.length, 3, 'three pool slots as stock');
  assert.match(c.pools[0].url, /^stratum\+tcp:\/\/127\.0\.0\.1:\d+$/);
  assert.is(c.pools[0].user, 'w.1');
  assert.is(c.pools[0].pass, '', 'the pool password is never returned');
  assert.equal(c.pools[1], { url: '', user: '', pass: '' });
  // pyasic AntminerOld._is_mining: int(conf["bitmain-work-mode"]) == 1 means not mining.
  assert.is(Number.parseInt(c['bitmain-work-mode'], 10) === 1, false);
  // pyasic FanModeConfig.from_am_modern: bitmain-fan-ctrl (bool) then int(bitmain-fan-pwm).
  assert.type(c['bitmain-fan-ctrl'], 'boolean');
  assert.ok(Number.isInteger(Number.parseInt(c['bitmain-fan-pwm'], 10)));
  assert.match(c['bitmain-freq'], /^\d+$/);
  const st = await cgi('GET', '/cgi-bin/get_miner_status.cgi');
  assert.is(st.status, 200);
  assert.ok(st.json.summary && Array.isArray(st.json.pools) && st.json.devs.length === 4, st.text);
});

test('writes need digest auth: none or a wrong password is 401 with a challenge; the right one blinks', async () => {
  const none = await cgi('POST', '/cgi-bin/blink.cgi', { body: '{"blink":"true"}' });
  assert.is(none.status, 401, none.text);
  assert.is(none.json.code, 'KBS_E_CGI_UNAUTHORIZED');
  assert.is(none.challenge?.realm, 'antMiner');
  assert.is(none.challenge?.qop, 'auth');
  const wrong = await cgi('POST', '/cgi-bin/blink.cgi', { body: '{"blink":"true"}', password: CGI_PASSWORD + 'x' });
  assert.is(wrong.status, 401);
  const wrongUser = await cgi('POST', '/cgi-bin/blink.cgi', { body: '{"blink":"true"}', password: CGI_PASSWORD, user: 'admin' });
  assert.is(wrongUser.status, 401);
  const reboot = await cgi('GET', '/cgi-bin/reboot.cgi');
  assert.is(reboot.status, 401, 'reboot.cgi is a write even as GET (pyasic sends it as GET)');
  assert.equal((await cgi('GET', '/cgi-bin/get_blink_status.cgi')).json, { blink: false }, 'nothing blinked');

  const on = await cgi('POST', '/cgi-bin/blink.cgi', { body: '{"blink":"true"}', password: CGI_PASSWORD });
  assert.is(on.status, 200, on.text);
  assert.is(on.json.code, 'B000', 'pyasic AntminerModern.fault_light_on checks code B000');
  assert.equal((await cgi('GET', '/cgi-bin/get_blink_status.cgi')).json, { blink: true });
  // The same credentials again (same nonce and nc) are a replay.
  const replay = await cgi('POST', '/cgi-bin/blink.cgi', { body: '{"blink":"true"}', reuse: { header: on.authHeader! } });
  assert.is(replay.status, 401);
  // AntminerOld's form: action=onPageLoaded (open read), stopBlink (write).
  const page = await cgi('POST', '/cgi-bin/blink.cgi', { body: 'action=onPageLoaded', type: 'application/x-www-form-urlencoded' });
  assert.equal(page.json, { isBlinking: true });
  const off = await cgi('POST', '/cgi-bin/blink.cgi', { body: 'action=stopBlink', type: 'application/x-www-form-urlencoded', password: CGI_PASSWORD });
  assert.is(off.status, 200, off.text);
  assert.equal(off.json, { isBlinking: false });
  assert.equal((await cgi('GET', '/cgi-bin/get_blink_status.cgi')).json, { blink: false });
  await procs.waitFor(/CGI write refused/, 5000);
});

test('no reply or header ever carries the pool password or the CGI password', () => {
  assert.ok(replies.length > 10);
  for (const r of replies) {
    assert.not.ok(r.includes(POOL_SECRET), 'pool password leaked');
    assert.not.ok(r.includes(CGI_PASSWORD), 'CGI password leaked');
  }
  assert.not.ok(procs.daemonOut.includes(POOL_SECRET) || procs.daemonOut.includes(CGI_PASSWORD), 'no secret in the log');
});

test.run();
