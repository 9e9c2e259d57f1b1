#!/usr/bin/env node
// `npm test`: typecheck, then every test file (unit, contract, integration, fuzz) under c8,
// then one closing line `N passed, N failed` that CI reads. Arguments filter test files by
// path prefix (`npm test -- test/unit/pow`). `--no-typecheck` skips tsc (inner loop only).
// First it checks the system packages the suite needs (tools/test/prerequisites.json).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ensurePrerequisites } from './prerequisites.mjs';

const root = new URL('../..', import.meta.url).pathname;
const args = process.argv.slice(2);
const skipTypecheck = args.includes('--no-typecheck');
const filters = args.filter((a) => !a.startsWith('--'));

// System packages first (mosquitto, promtool, ...): installed here when we may, else one command to run.
if (!args.includes('--no-prerequisites')) {
  const code = ensurePrerequisites();
  if (code !== 0) process.exit(code);
}

let typecheckFailed = 0;
if (!skipTypecheck) {
  process.stdout.write('typecheck: tsc --noEmit\n');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], {
    stdio: 'inherit',
  });
  // The web UI (browser code: DOM lib, Preact JSX) has its own tsconfig.
  const ui = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(root, 'src/ui/app')], { stdio: 'inherit' });
  if (tsc.status !== 0 || ui.status !== 0) {
    typecheckFailed = 1;
    process.stdout.write('typecheck: FAILED\n');
  } else process.stdout.write('typecheck: ok\n');
}

const totalsFile = join(tmpdir(), `kabosu-test-totals-${process.pid}.json`);
const c8 = spawnSync(
  process.execPath,
  [join(root, 'node_modules/c8/bin/c8.js'), '--reporter=text-summary', '--', process.execPath, join(root, 'tools/test/exec.mjs'), totalsFile, ...filters],
  { stdio: 'inherit', cwd: root },
);

let totals = { passed: 0, failed: 1, skipped: 0 };
try {
  totals = JSON.parse(readFileSync(totalsFile, 'utf8'));
  rmSync(totalsFile, { force: true });
} catch {
  process.stdout.write(`test runner did not report totals (c8 exit ${c8.status})\n`);
}
const failed = totals.failed + typecheckFailed;
const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
process.stdout.write(`\n${totals.passed} passed, ${failed} failed${skipped}\n`);
process.exit(failed > 0 || c8.status !== 0 ? 1 : 0);
