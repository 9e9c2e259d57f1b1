import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { writeFileAtomic } from '../../../src/store/atomicWrite';
import { StoreError } from '../../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-atomic-'));

test('writeFileAtomic creates a file with the given content and mode', () => {
  const p = join(dir, 'a.json');
  writeFileAtomic(p, 'hello', { mode: 0o600 });
  assert.is(readFileSync(p, 'utf8'), 'hello');
  assert.is(statSync(p).mode & 0o777, 0o600);
});

test('writeFileAtomic replaces an existing file and leaves no temp files behind', () => {
  const p = join(dir, 'b.json');
  writeFileSync(p, 'old content that is longer');
  writeFileAtomic(p, Buffer.from('new'));
  assert.is(readFileSync(p, 'utf8'), 'new');
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('writeFileAtomic into a missing directory throws StoreError naming the path', () => {
  const p = join(dir, 'nope', 'c.json');
  try {
    writeFileAtomic(p, 'x');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, StoreError);
    assert.is((e as StoreError).code, 'KBS_E_STORE_WRITE');
    assert.ok((e as Error).message.includes(p));
  }
});

test('writeFileAtomic into a read-only directory keeps the old file intact', () => {
  if (process.getuid?.() === 0) return; // root ignores directory permissions
  const ro = mkdtempSync(join(dir, 'ro-'));
  const p = join(ro, 'd.json');
  writeFileSync(p, 'keep');
  chmodSync(ro, 0o500);
  try {
    assert.throws(() => writeFileAtomic(p, 'lost'), (e: unknown) => e instanceof StoreError);
    assert.is(readFileSync(p, 'utf8'), 'keep');
  } finally {
    chmodSync(ro, 0o700);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
