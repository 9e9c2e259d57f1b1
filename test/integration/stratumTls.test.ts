/**
 * stratum+ssl trust options from the config (pools[].tls) to a real TLS pool whose certificate is
 * signed by a CA made here with openssl: refused without an option, accepted with caFile, with
 * the right pin (and refused, before a byte is sent, with a wrong one), and with insecure plus a
 * logged warning. The config goes through the schema validator and src/app's poolSessionOptions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../../src/hal/clock';
import { validateConfigData } from '../../src/config/validate';
import { poolSessionOptions } from '../../src/app/poolSessionOptions';
import { StratumV1Session } from '../../src/stratum';
import { burstPool, rawPool, type RawPool } from '../helpers/rawPool';

const dir = mkdtempSync(join(tmpdir(), 'kbs-tls-'));
const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
ossl('req', '-x509', ...EC, '-days', '1', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=kabosu test CA');
ossl('req', ...EC, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
ossl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', 'srv.pem', '-extfile', 'ext.cnf');
const cert = readFileSync(join(dir, 'srv.pem'));
const key = readFileSync(join(dir, 'srv.key'));
const PIN = new X509Certificate(cert).fingerprint256; // "AB:CD:..."
const WRONG_PIN = new X509Certificate(readFileSync(join(dir, 'ca.pem'))).fingerprint256;

async function until(what: string, fn: () => boolean, ms = 8000): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A session built the way the daemon builds it: config validated by the schema, then poolSessionOptions. */
function sessionFromConfig(pool: RawPool, tls: Record<string, unknown> | undefined) {
  const { config } = validateConfigData({ version: 1, pools: [{ name: 'p', url: pool.url, user: 'me.w1', ...(tls ? { tls } : {}) }] }, 'test');
  const p = config.pools[0];
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (x: string) => { lines.push(JSON.parse(x)); } });
  const s = new StratumV1Session({ url: p.url, user: p.user, password: p.password ?? '', clock: new RealClock(), logger, backoffBaseMs: 20, backoffMaxMs: 50, ...poolSessionOptions(p) });
  return { s, lines };
}

async function accepted(tls: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const pool = await rawPool(burstPool(1 / 1024), { tls: { key, cert } });
  const { s, lines } = sessionFromConfig(pool, tls);
  const job = s.events.next('job');
  s.start();
  const j = await job;
  assert.is(s.state, 'ready');
  assert.is(j.extranonce1.toString('hex'), pool.conns[0].extranonce1);
  await s.close(); await pool.close();
  return lines;
}

async function refused(tls: Record<string, unknown> | undefined, reason: RegExp): Promise<void> {
  const pool = await rawPool(burstPool(1 / 1024), { tls: { key, cert } });
  const { s, lines } = sessionFromConfig(pool, tls);
  s.start();
  await until('two refused attempts', () => s.stats.disconnects >= 2);
  assert.is(s.stats.connects, 0);
  assert.not.equal(s.state, 'ready');
  assert.is(pool.got.length, 0, 'nothing was sent to an untrusted peer');
  const lost = lines.find((l) => l.msg === 'pool connection lost');
  assert.match(String(lost?.reason), reason);
  await s.close(); await pool.close();
}

test('no tls option: a certificate from a private CA is refused', async () => {
  await refused(undefined, /self.signed|unable to (get|verify)|certificate/i);
});

test('tls.caFile: the private CA is trusted and the session mines', async () => {
  const lines = await accepted({ caFile: join(dir, 'ca.pem') });
  assert.not.ok(lines.some((l) => /NOT verified/.test(String(l.msg))));
});

test('tls.fingerprint256: the right pin (with or without colons, any case) is accepted, a wrong one refused before anything is sent', async () => {
  await accepted({ fingerprint256: PIN });
  await accepted({ fingerprint256: PIN.replace(/:/g, '').toLowerCase() });
  await refused({ fingerprint256: WRONG_PIN }, /fingerprint .* does not match the pinned/);
  await refused({ caFile: join(dir, 'ca.pem'), fingerprint256: WRONG_PIN }, /does not match the pinned/);
});

test('tls.insecure: any certificate is accepted and a warning is logged', async () => {
  const lines = await accepted({ insecure: true });
  assert.ok(lines.some((l) => l.level === 40 && /TLS certificate NOT verified/.test(String(l.msg))));
});

test('config: a bad pin or a relative caFile is refused by the schema; an unreadable caFile is a ConfigError', () => {
  for (const tls of [{ fingerprint256: 'abc' }, { caFile: 'ca.pem' }, { insecure: 'yes' }, { other: 1 }]) {
    assert.throws(() => validateConfigData({ version: 1, pools: [{ name: 'p', url: 'stratum+ssl://h:1', user: 'u', tls }] }, 't'));
  }
  assert.throws(() => poolSessionOptions({ name: 'p', tls: { caFile: join(dir, 'missing.pem') } }), (e: Error & { code?: string }) => e.code === 'KBS_E_POOL_TLS_CA');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
