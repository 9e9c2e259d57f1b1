#!/usr/bin/env node
// The system programs the suite runs (mosquitto, promtool, openssl, ...), checked before any
// test: a missing one is installed with apt-get when this process may (root, apt-get on PATH,
// KABOSU_TEST_NO_INSTALL unset), else the run stops at once with the one command to run.
// The list is tools/test/prerequisites.json (also read by .ci/run). Looking a program up is a
// PATH scan, no process is started, so a complete machine passes in milliseconds.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LIST = new URL('./prerequisites.json', import.meta.url);

export function packages() {
  return JSON.parse(readFileSync(LIST, 'utf8')).packages;
}

function onPath(bin, path) {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, bin);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** The packages with a program missing from PATH, with the programs that are missing. */
export function missingPackages(env = process.env) {
  return packages()
    .map((p) => ({ name: p.name, missing: p.binaries.filter((b) => !onPath(b, env.PATH)) }))
    .filter((p) => p.missing.length > 0);
}

function installCommand(names, root) {
  return `${root ? '' : 'sudo '}apt-get update && ${root ? '' : 'sudo '}apt-get install -y --no-install-recommends ${names.join(' ')}`;
}

/**
 * True when every program is on PATH (installing where allowed); otherwise prints what is
 * missing and the command to run on `out` and returns false.
 */
export function ensurePrerequisites({ env = process.env, out = process.stderr } = {}) {
  let missing = missingPackages(env);
  if (missing.length === 0) return true;
  const names = missing.map((p) => p.name);
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const mayInstall = root && !env.KABOSU_TEST_NO_INSTALL && onPath('apt-get', env.PATH);
  if (mayInstall) {
    out.write(`test prerequisites: installing Debian packages: ${names.join(' ')}\n`);
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv });
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv });
    missing = missingPackages(env);
    if (install && install.status === 0 && missing.length === 0) return true;
    out.write('test prerequisites: apt-get did not install them\n');
  }
  const progs = missing.flatMap((p) => p.missing.map((b) => `${b} (${p.name})`));
  out.write(
    `test prerequisites missing from PATH: ${progs.join(', ')}\n` +
      `install them with:\n\n  ${installCommand(missing.map((p) => p.name), root)}\n\n` +
      `then run npm test again.${root && env.KABOSU_TEST_NO_INSTALL ? ' (KABOSU_TEST_NO_INSTALL is set, so npm test did not install them itself.)' : ''}\n`,
  );
  return false;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--list') {
    process.stdout.write(packages().map((p) => p.name).join('\n') + '\n');
  } else process.exit(ensurePrerequisites() ? 0 : 3);
}
