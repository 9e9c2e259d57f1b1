#!/usr/bin/env node
// npm test's first step: are the Debian packages the suite needs installed? A binary per package
// is looked up on PATH (no process is started). Missing ones are installed with apt-get when we
// may (root, apt-get present, KABOSU_TEST_NO_INSTALL unset), as .ci/run does; otherwise we stop
// at once with the one command to run, instead of 8 minutes of tests ending in failures.
import { accessSync, constants, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

const LIST = new URL('./prerequisites.json', import.meta.url);

export function requiredPackages() {
  return JSON.parse(readFileSync(LIST, 'utf8')).packages;
}

function onPath(binary, path) {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

export function missingPackages(env = process.env) {
  return requiredPackages().filter((p) => !onPath(p.binary, env.PATH));
}

/** 0 when everything is there (or was installed), 2 with the command to run printed. */
export function ensurePrerequisites({ env = process.env, out = process.stderr } = {}) {
  let missing = missingPackages(env);
  if (missing.length === 0) return 0;
  const names = missing.map((p) => p.package);
  const mayInstall = process.getuid?.() === 0 && !env.KABOSU_TEST_NO_INSTALL && onPath('apt-get', env.PATH);
  if (mayInstall) {
    out.write(`npm test: installing missing Debian packages: ${names.join(' ')}\n`);
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
    const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env: aptEnv });
    missing = missingPackages(env);
    if (install && install.status === 0 && missing.length === 0) return 0;
  }
  out.write(
    `npm test: missing system packages (${missing.map((p) => `${p.package}: ${p.for}`).join('; ')}).\n` +
      `Install them with:\n  sudo apt-get install -y ${missing.map((p) => p.package).join(' ')}\n` +
      'then run npm test again.\n',
  );
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--list') process.stdout.write(requiredPackages().map((p) => p.package).join('\n') + '\n');
  else process.exit(ensurePrerequisites());
}
