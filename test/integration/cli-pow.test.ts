import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import vectors from '../vectors/pow/headers.json';

const bin = join(__dirname, '../../bin/kabosu.js');
const kabosu = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('kabosu pow scrypt and sha256d print the genesis hashes in display order', () => {
  const g = vectors.headers[0];
  const s = kabosu('pow', 'scrypt', g.header);
  assert.is(s.status, 0, s.stderr);
  assert.is(s.stdout.trim(), g.scrypt);
  const d = kabosu('pow', 'sha256d', g.header);
  assert.is(d.stdout.trim(), g.sha256d);
});

test('kabosu bench scrypt --json --smoke prints one JSON object with ratios against node:crypto', () => {
  const r = kabosu('bench', 'scrypt', '--json', '--smoke');
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.bench, 'scrypt');
  assert.ok(j.node_crypto.sync_one_thread_hps > 0);
  assert.ok(j.ratio_best_one_thread_vs_node_sync > 1, `native should beat node:crypto: ${j.ratio_best_one_thread_vs_node_sync}`);
  assert.ok(j.native.scalar.one_thread_hps > 0);
});

test('bad pow input exits 2 with one clear line and no stack (fuzzed arguments, seeded)', () => {
  const cases = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 0, maxLength: 170 }).filter((s) => s.length !== 160),
      fc.constant('zz'.repeat(80)),
    ),
    { seed: 1234, numRuns: 12 },
  );
  for (const arg of cases) {
    const r = kabosu('pow', 'scrypt', arg);
    assert.is(r.status, 2, `arg ${JSON.stringify(arg)}: ${r.stderr}`);
    assert.match(r.stderr, /^error KBS_E_CLI_USAGE: /);
    assert.not.match(r.stderr, /\n\s+at /);
  }
  assert.is(kabosu('pow', 'x11', vectors.headers[0].header).status, 2);
  assert.is(kabosu('pow').status, 2);
});

test.run();
