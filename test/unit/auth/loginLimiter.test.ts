import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoginLimiter } from '../../../src/auth/loginLimiter';
import { SessionStore, cookieValue, sessionCookie } from '../../../src/auth/sessions';

const o = { maxFailures: 3, windowMs: 60_000, lockMs: 10_000, maxLockMs: 25_000 };

test('three failures in the window lock the address; the lock doubles, capped; other addresses are unaffected', () => {
  const l = new LoginLimiter(o);
  l.failed('a', 0);
  l.failed('a', 1000);
  assert.is(l.lockedFor('a', 1000), 0);
  l.failed('a', 2000);
  assert.is(l.lockedFor('a', 2000), 10_000);
  assert.is(l.lockedFor('b', 2000), 0);
  assert.is(l.lockedFor('a', 12_000), 0);
  for (const t of [12_000, 12_001, 12_002]) l.failed('a', t);
  assert.is(l.lockedFor('a', 12_002), 20_000);
  for (const t of [40_000, 40_001, 40_002]) l.failed('a', t);
  assert.is(l.lockedFor('a', 40_002), 25_000);
});

test('failures older than the window do not count; a success clears the address', () => {
  const l = new LoginLimiter(o);
  l.failed('a', 0);
  l.failed('a', 1);
  l.failed('a', 70_000);
  assert.is(l.lockedFor('a', 70_000), 0);
  l.failed('a', 70_001);
  l.succeeded('a');
  l.failed('a', 70_002);
  assert.is(l.lockedFor('a', 70_002), 0);
});

test('sessions: unknown and idle ids are refused; clear() ends every session; cookies are HttpOnly SameSite=Strict (Secure under TLS)', () => {
  const s = new SessionStore(1000);
  const a = s.create(0);
  assert.ok(a.id.length >= 40 && a.csrf !== a.id);
  assert.is(s.get(a.id, 500)?.id, a.id);
  assert.is(s.get('nope', 500), undefined);
  assert.is(s.get(a.id, 1600), undefined, 'idle for more than 1 s');
  const b = s.create(2000);
  s.create(2000);
  assert.is(s.clear(), 2);
  assert.is(s.get(b.id, 2001), undefined);
  assert.is(cookieValue('x=1; kabosu_session=abc; y=2', 'kabosu_session'), 'abc');
  assert.is(cookieValue(undefined, 'kabosu_session'), undefined);
  assert.is(sessionCookie('abc', { secure: false }), 'kabosu_session=abc; Path=/; HttpOnly; SameSite=Strict');
  assert.match(sessionCookie('abc', { secure: true, maxAgeS: 0 }), /; Secure; Max-Age=0$/);
});

test.run();
