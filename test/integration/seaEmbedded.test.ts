/**
 * `npm run build:bin -- --arch <this machine's>`: a single executable with nothing beside it
 * loads the kabosu addon it carries (src/native/load.ts writes it to $KABOSU_ADDON_DIR), never a
 * file someone else put there, and refuses a directory others can write.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vectors from '../vectors/pow/headers.json';

const root = join(__dirname, '../..');
const targets = JSON.parse(readFileSync(join(root, 'tools/build/targets.json'), 'utf8'));
const arch = Object.keys(targets).find((k) => targets[k].nodeArch === process.arch)!;
const dist = mkdtempSync(join(tmpdir(), 'kabosu-sea-'));
const work = mkdtempSync(join(tmpdir(), 'kabosu-sea-run-'));
test.after(() => {
  rmSync(dist, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});
const exe = join(dist, `linux-${arch}`, 'kabosu');
const g = vectors.headers[0];
const env = { ...process.env, KABOSU_DEBUG: '1', KABOSU_ADDON: '' };
const pow = (addonDir: string) => spawnSync(exe, ['pow', 'scrypt', g.header], { cwd: work, encoding: 'utf8', env: { ...env, KABOSU_ADDON_DIR: addonDir } });

test(`build:bin --arch ${arch} makes one file that hashes with its embedded addon from an empty directory`, () => {
  execFileSync(process.execPath, [join(root, 'tools/build/sea.mjs'), '--arch', arch], { env: { ...process.env, KABOSU_DIST: dist }, stdio: 'pipe' });
  assert.equal(readdirSync(join(dist, `linux-${arch}`)).filter((f) => !f.startsWith('kabosu.cjs')), ['kabosu'], 'nothing beside the binary');
  const dir = join(work, 'addons-a');
  const r = pow(dir);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), g.scrypt);
  assert.match(r.stderr, /backend: native:/);
  const files = readdirSync(dir);
  assert.is(files.length, 1);
  assert.match(files[0], /^[0-9a-f]{16}-kabosu\.node$/);
});

test('a file planted under the embedded addon name is replaced by the real bytes, not loaded', () => {
  const dir = join(work, 'addons-a');
  const [name] = readdirSync(dir);
  const real = readFileSync(join(dir, name));
  chmodSync(join(dir, name), 0o600);
  writeFileSync(join(dir, name), Buffer.from('not an ELF file'));
  const r = pow(dir);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /backend: native:/);
  assert.ok(readFileSync(join(dir, name)).equals(real), 'the embedded bytes are back');
});

test('a directory others can write to is refused: no addon is extracted there', () => {
  const dir = join(work, 'addons-open');
  mkdirSync(dir);
  chmodSync(dir, 0o777);
  const r = pow(dir);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), g.scrypt, 'still hashes (node:crypto fallback)');
  assert.not.match(r.stderr, /backend: native:/);
  assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'nothing written');
});

test.run();
