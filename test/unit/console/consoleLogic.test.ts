import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterFailure, waitMs, DEFAULT_THROTTLE } from '../../../src/console/loginThrottle';
import { AdminPasswordStore } from '../../../src/auth/adminPassword';
import { hasColour } from '../../../src/console/style';
import { defaultGateway, nameservers } from '../../../src/console/commands/net';
import { parseConfigValue } from '../../../src/console/commands/config';
import { auditLine } from '../../../src/console/commands';

test('login backoff: three free failures, then 5 s, 10 s, 20 s ... capped at 5 min', () => {
  let s = { failures: 0, lockedUntilMs: 0 };
  const waits: number[] = [];
  for (let i = 0; i < 10; i++) {
    s = afterFailure(s, 1000, DEFAULT_THROTTLE);
    waits.push(waitMs(s, 1000));
  }
  assert.equal(waits, [0, 0, 0, 5000, 10000, 20000, 40000, 80000, 160000, 300000]);
  assert.is(waitMs(s, 1000 + 300000), 0);
});

test('admin password: salted scrypt record, mode 0600, verifies only the right password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-pw-'));
  try {
    const a = new AdminPasswordStore(dir);
    assert.not.ok(a.isSet());
    await a.set('correct horse');
    assert.is(statSync(a.path).mode & 0o777, 0o600);
    assert.not.ok(readFileSync(a.path, 'utf8').includes('correct horse'));
    assert.ok(await a.verify('correct horse'));
    assert.not.ok(await a.verify('correct horsE'));
    const first = JSON.parse(readFileSync(a.path, 'utf8')).salt;
    await a.set('correct horse');
    assert.is.not(JSON.parse(readFileSync(a.path, 'utf8')).salt, first);
    await a.set('short').then(() => assert.unreachable('short accepted'), (e: Error) => assert.match(e.message, /at least 8/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('colour only for terminals known to have it', () => {
  assert.ok(hasColour('xterm-256color'));
  assert.ok(hasColour('screen'));
  for (const t of [undefined, '', 'dumb', 'vt100', 'unknown-thing']) assert.not.ok(hasColour(t), String(t));
});

test('net: default gateway from /proc/net/route, nameservers from resolv.conf', () => {
  const route = 'Iface\tDestination\tGateway \tFlags\nend0\t0002000A\t00000000\t0001\neth0\t00000000\t0102A8C0\t0003\n';
  assert.equal(defaultGateway(route), { iface: 'eth0', gateway: '192.168.2.1' });
  assert.is(defaultGateway('Iface\tDestination\n'), null);
  assert.equal(nameservers('# x\nnameserver 1.1.1.1\nsearch lan\nnameserver  9.9.9.9\n'), ['1.1.1.1', '9.9.9.9']);
});

test('config set values: JSON where it parses, the raw text for string fields', () => {
  assert.is(parseConfigValue('70', ['thermal', 'targetC']), 70);
  assert.is(parseConfigValue('debug', ['logging', 'level']), 'debug');
  assert.is(parseConfigValue('123', ['device', 'id']), '123');
  assert.is(parseConfigValue('true', ['mining', 'enabled']), true);
});

test('the audit line never carries a secret typed after config set PATH', () => {
  const secret = (p: string) => p === 'pools.0.password';
  assert.is(auditLine(['config', 'set', 'pools.0.password', 'hunter2'], secret), 'config set pools.0.password <value withheld>');
  assert.is(auditLine(['config', 'set', 'logging.level', 'debug'], secret), 'config set logging.level debug');
});

test.run();
