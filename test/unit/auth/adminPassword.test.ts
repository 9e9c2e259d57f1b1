import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminPasswordStore, ADMIN_PASSWORD_FILE } from '../../../src/auth/adminPassword';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-adminpw-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('unset at first boot; set stores a salted scrypt hash (mode 0600, no temp file left), verify accepts only that password', async () => {
  const s = new AdminPasswordStore(dir);
  assert.is(s.isSet(), false);
  assert.is(await s.verify('anything long'), false);
  await s.set('correct horse battery');
  assert.is(s.isSet(), true);
  const path = join(dir, ADMIN_PASSWORD_FILE);
  assert.is(statSync(path).mode & 0o777, 0o600);
  assert.equal(readdirSync(dir), [ADMIN_PASSWORD_FILE]);
  const text = readFileSync(path, 'utf8');
  assert.not.ok(text.includes('correct horse'));
  const rec = JSON.parse(text);
  assert.is(rec.kdf, 'scrypt');
  assert.is(Buffer.from(rec.salt, 'base64').length, 16);
  // a second store (the serial console) reads the same file
  const other = new AdminPasswordStore(dir);
  assert.is(await other.verify('correct horse battery'), true);
  assert.is(await other.verify('correct horse batterY'), false);
  assert.is(await other.verify(undefined), false);
});

test('the same password set twice gets a different salt and hash', async () => {
  const s = new AdminPasswordStore(dir);
  await s.set('another password');
  const a = readFileSync(join(dir, ADMIN_PASSWORD_FILE), 'utf8');
  await s.set('another password');
  const b = readFileSync(join(dir, ADMIN_PASSWORD_FILE), 'utf8');
  assert.is.not(JSON.parse(a).salt, JSON.parse(b).salt);
  assert.is(await s.verify('another password'), true);
});

test('a short password is refused with a typed error and the stored one is kept', async () => {
  const s = new AdminPasswordStore(dir);
  await s.set('kept password');
  try {
    await s.set('short');
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'KBS_E_AUTH_WEAK_PASSWORD');
  }
  assert.is(await new AdminPasswordStore(dir).verify('kept password'), true);
});

test('a damaged file is a clear error naming the file and what to do', () => {
  const d = mkdtempSync(join(tmpdir(), 'kabosu-adminpw-bad-'));
  writeFileSync(join(d, ADMIN_PASSWORD_FILE), '{not json');
  try {
    new AdminPasswordStore(d).isSet();
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'KBS_E_AUTH_STORE');
    assert.match((e as { hint: string }).hint, /remove .*admin-password\.json/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test.run();
