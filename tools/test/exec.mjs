#!/usr/bin/env node
// Runs each uvu test file in its own Node process (isolation: a crash or hang fails one file,
// not the run), two at a time, and writes the summed counts to the file named by argv[2].
// A file that exits non-zero without reporting failures counts as one failure.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import os from 'node:os';

const root = new URL('../..', import.meta.url).pathname;
const [totalsFile, ...filters] = process.argv.slice(2);
const jobs = Number(process.env.KABOSU_TEST_JOBS ?? Math.max(1, Math.min(2, os.cpus().length)));
const timeoutMs = Number(process.env.KABOSU_TEST_TIMEOUT_MS ?? 240_000);
// test/long: checks of minutes each (a daemon tuning to convergence, soaks), outside `npm test`:
// `npm run test:long` (KABOSU_TEST_LONG=1), or named by a filter.
// vm: tests that boot a Linux guest under QEMU (tools/vm); they skip, with the reason, where none can run.
const long = process.env.KABOSU_TEST_LONG === '1' || filters.some((f) => f.replace(/^\.\//, '').startsWith('test/long'));
const order = ['unit', 'contract', 'fuzz', 'integration', 'vm', ...(long ? ['long'] : [])];

function walk(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = order.flatMap((tier) => walk(join(root, 'test', tier)));
if (filters.length) files = files.filter((f) => filters.some((flt) => relative(root, f).startsWith(flt.replace(/^\.\//, ''))));

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const totals = { passed: 0, failed: 0, skipped: 0, files: files.length };

function runOne(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', KABOSU_TEST: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[runner] timed out after ${timeoutMs} ms, killed\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = strip(out);
      const total = [...text.matchAll(/Total:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
      const passed = [...text.matchAll(/Passed:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
      const skipped = [...text.matchAll(/Skipped:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
      let failed = Math.max(0, total - passed - skipped);
      if ((code !== 0 || signal) && failed === 0) failed = 1;
      if (total === 0 && skipped === 0 && code === 0) failed = 1; // a test file that ran no test (and skipped none) is a defect
      resolve({ file, passed, failed, skipped, ms: Date.now() - started, out: text, code, signal });
    });
  });
}

const queue = [...files];
async function worker() {
  for (;;) {
    const file = queue.shift();
    if (!file) return;
    const r = await runOne(file);
    totals.passed += r.passed;
    totals.failed += r.failed;
    totals.skipped += r.skipped;
    const rel = relative(root, file);
    const secs = (r.ms / 1000).toFixed(1);
    if (r.failed > 0 || process.env.KABOSU_TEST_VERBOSE) {
      process.stdout.write(`\n--- ${r.failed ? 'FAIL' : 'ok'} ${rel} (${r.passed} passed, ${r.failed} failed, ${secs}s, exit ${r.code ?? r.signal})\n${r.out}\n`);
    } else {
      process.stdout.write(`ok   ${rel}  ${r.passed} passed${r.skipped ? `, ${r.skipped} skipped` : ''}  ${secs}s\n`);
    }
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
writeFileSync(totalsFile, JSON.stringify(totals));
process.stdout.write(`\nfiles: ${files.length}, tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(totals.failed > 0 ? 1 : 0);
