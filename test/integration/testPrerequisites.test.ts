import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * `npm test` (tools/test/run.mjs) as a process checks the system programs the suite runs before
 * anything else: with one missing and installing not allowed it stops at once, non-zero, with the
 * one command to run; with all present it goes on. PATH is a temp dir of links to the real
 * programs, less the one under test.
 */
const root = join(__dirname, '../..');
const list = JSON.parse(readFileSync(join(root, 'tools/test/prerequisites.json'), 'utf8')).packages as { name: string; binaries: string[] }[];
const dir = mkdtempSync(join(tmpdir(), 'kabosu-prereq-'));

function which(bin: string): string {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const r = spawnSync('test', ['-x', join(d, bin)]);
    if (d && r.status === 0) return join(d, bin);
  }
  throw new Error(`${bin} is not on this machine's PATH: the suite's prerequisites are not met here`);
}

test.before(() => {
  for (const p of list) for (const b of p.binaries) if (b !== 'mosquitto') symlinkSync(which(b), join(dir, b));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('npm test with mosquitto missing and installing disabled stops at once, non-zero, naming the command', () => {
  const r = spawnSync(process.execPath, [join(root, 'tools/test/run.mjs'), '--no-typecheck', 'test/unit/core/jsonKeys'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: dir, KABOSU_TEST_NO_INSTALL: '1' },
    timeout: 60_000,
  });
  assert.is(r.status, 3, r.stdout + r.stderr);
  assert.match(r.stderr, /missing from PATH: mosquitto \(mosquitto\)\n/);
  assert.match(r.stderr, /^ {2}(sudo )?apt-get update && (sudo )?apt-get install -y --no-install-recommends mosquitto$/m);
  assert.not.match(r.stdout, /passed/, 'no test ran');
});

test('as root with apt-get it installs the missing package itself and goes on; otherwise it names sudo', () => {
  // A stand-in apt-get on this PATH: records its arguments and "installs" mosquitto.
  const log = join(dir, 'apt.log');
  writeFileSync(join(dir, 'apt-get'), `#!/bin/sh\necho "$@" >> ${log}\n[ "$1" = install ] && /bin/ln -sf ${which('mosquitto')} ${join(dir, 'mosquitto')}\nexit 0\n`);
  chmodSync(join(dir, 'apt-get'), 0o755);
  try {
    const r = spawnSync(process.execPath, [join(root, 'tools/test/prerequisites.mjs')], { encoding: 'utf8', env: { ...process.env, PATH: dir } });
    if (process.getuid?.() === 0) {
      assert.is(r.status, 0, r.stderr);
      assert.match(r.stderr, /installing Debian packages: mosquitto\n/);
      assert.equal(readFileSync(log, 'utf8').trim().split('\n'), ['update -qq', 'install -y -qq --no-install-recommends mosquitto']);
    } else {
      assert.is(r.status, 3);
      assert.match(r.stderr, /sudo apt-get install -y --no-install-recommends mosquitto/);
      assert.not.ok(existsSync(log), 'apt-get not run without root');
    }
  } finally {
    rmSync(join(dir, 'apt-get'), { force: true });
    rmSync(join(dir, 'mosquitto'), { force: true });
  }
});

test('the prerequisite check passes when every program is on PATH', () => {
  symlinkSync(which('mosquitto'), join(dir, 'mosquitto'));
  const r = spawnSync(process.execPath, [join(root, 'tools/test/prerequisites.mjs')], { encoding: 'utf8', env: { ...process.env, PATH: dir, KABOSU_TEST_NO_INSTALL: '1' } });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
});

test('.ci/run installs from the same list (prerequisites.json), not a copy of its own', () => {
  const ci = readFileSync(join(root, '.ci/run'), 'utf8');
  assert.match(ci, /node tools\/test\/prerequisites\.mjs --list/);
  assert.not.match(ci, /mosquitto-clients/);
  const r = spawnSync(process.execPath, [join(root, 'tools/test/prerequisites.mjs'), '--list'], { encoding: 'utf8' });
  assert.equal(r.stdout.trim().split('\n'), list.map((p) => p.name));
});

test.run();
