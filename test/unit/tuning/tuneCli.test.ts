import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { command } from '../../../src/cli/commands/tune';
import { KabosuError } from '../../../src/core/errors';
import { writeJson } from '../../../src/store';
import { REPORT_FILE } from '../../../src/app/tuning';
import type { TuningReport } from '../../../src/tuning/report';

async function run(argv: string[], cwd: string): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  const code = await command.run({ argv, stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd });
  return { code, out };
}

const report: TuningReport = {
  target: { kind: 'power', maxPowerW: 640 },
  state: 'tuned',
  elapsedMs: 600_000,
  convergedAfterMs: 480_000,
  expected: { hashrateHps: 420e6, wallPowerW: 636, efficiencyJPerTH: 636 / 420e-6 },
  boards: [{ board: 0, phase: 'tuned', voltageV: 9.441, voltageExponent: 2.1, freqMHz: { min: 380, mean: 400, max: 420 }, histogram: [{ freqMHz: 400, chips: 72 }], weakChips: [{ chip: 5, freqMHz: 350, reason: 'below-stock' }] }],
  alternatives: [],
};

test('tune report prints the report the daemon saved (text and --json)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-tunecli-'));
  try {
    writeJson(join(dir, REPORT_FILE), report);
    const t = await run(['report', '--data-dir', dir], dir);
    assert.is(t.code, 0);
    assert.match(t.out, /target power \(640 W\): tuned, converged after 8\.0 min/);
    assert.match(t.out, /weak chips: 5@350\.0\(below-stock\)/);
    const j = await run(['report', '--data-dir', dir, '--json'], dir);
    assert.equal(JSON.parse(j.out), report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no report yet, unknown sub-command or bad flags: typed errors with a hint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-tunecli-'));
  try {
    for (const [argv, code] of [
      [['report', '--data-dir', dir], 'KBS_E_TUNING_NO_REPORT'],
      [['nope'], 'KBS_E_CLI_USAGE'],
      [['report', '--bogus'], 'KBS_E_CLI_USAGE'],
      [['report', '--simulate', '--board', 's9'], 'KBS_E_CLI_USAGE'],
      [['report', '--simulate', '--seed', 'x'], 'KBS_E_CLI_USAGE'],
    ] as const) {
      try {
        await run([...argv], dir);
        assert.unreachable(argv.join(' '));
      } catch (e) {
        assert.instance(e, KabosuError);
        assert.is((e as KabosuError).code, code);
        assert.ok((e as KabosuError).hint);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--simulate tunes a simulated miner in virtual time and reports it', async () => {
  const r = await run(['report', '--simulate', '--board', 'l3plus', '--seed', '4', '--target', 'power', '--power', '650', '--json'], process.cwd());
  const rep = JSON.parse(r.out) as TuningReport;
  assert.is(rep.boards.length, 4);
  assert.ok(rep.expected.wallPowerW! <= 655);
  assert.is(rep.alternatives.length, 4);
});

test.run();
