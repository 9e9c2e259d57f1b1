import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/** npm test's first step, run as a process with PATHs made to lack or hold the packages. */
const script = join(__dirname, '../../../tools/test/prerequisites.mjs');
const list = JSON.parse(readFileSync(join(__dirname, '../../../tools/test/prerequisites.json'), 'utf8')).packages as { package: string; binary: string }[];
const dirs: string[] = [];

function binDir(names: string[], body = 'exit 0'): string {
  const d = mkdtempSync(join(tmpdir(), 'kabosu-prereq-'));
  dirs.push(d);
  for (const n of names) {
    writeFileSync(join(d, n), `#!/bin/sh\n${body}\n`);
    chmodSync(join(d, n), 0o755);
  }
  return d;
}

const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [script], { encoding: 'utf8', env: { HOME: tmpdir(), ...env } });

test('nothing installed and no right to install: exit 2 at once, naming the one command to run', () => {
  const r = run({ PATH: binDir([]), KABOSU_TEST_NO_INSTALL: '1' });
  assert.is(r.status, 2, r.stderr);
  assert.ok(r.stderr.includes(`sudo apt-get install -y ${list.map((p) => p.package).join(' ')}`), r.stderr);
  assert.match(r.stderr, /mosquitto: the real MQTT broker/);
});

test('every binary present: exit 0, silent', () => {
  const r = run({ PATH: binDir(list.map((p) => p.binary)) });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
});

test('one package missing: only it is named', () => {
  const r = run({ PATH: binDir(list.filter((p) => p.package !== 'prometheus').map((p) => p.binary)), KABOSU_TEST_NO_INSTALL: '1' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /sudo apt-get install -y prometheus\n/);
});

test('with apt-get on PATH it installs the missing packages itself as root (never otherwise), and says so if they are still missing', () => {
  const log = join(binDir([]), 'apt.log');
  // a stand-in apt-get that records its arguments and installs nothing
  const path = binDir(['apt-get'], `echo "$@" >> ${log}`);
  const r = run({ PATH: `${path}:${binDir(list.filter((p) => p.package !== 'mosquitto').map((p) => p.binary))}` });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  if (process.getuid?.() === 0) {
    assert.equal(calls, ['update -qq', 'install -y -qq --no-install-recommends mosquitto']);
    assert.match(r.stderr, /installing missing Debian packages: mosquitto/);
  } else assert.equal(calls, [], 'not root: nothing is installed');
  assert.is(r.status, 2, 'still missing after the install: the command is printed');
  assert.match(r.stderr, /sudo apt-get install -y mosquitto/);
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
