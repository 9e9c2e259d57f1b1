import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { removeStaleTemps, writeFileAtomic } from '../../../src/store';

test('removeStaleTemps removes a dead writer\'s temp files only: a live writer\'s, other dotfiles and targets stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-stale-'));
  try {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const live = process.ppid; // our parent runs while we do
    writeFileAtomic(join(dir, 'config.json'), '{"good":1}');
    for (const n of [`.config.json.${dead}.0badc0de.tmp`, `.key.${dead}.00000000.tmp`, `.config.json.${live}.abcdef01.tmp`, '.hidden.tmp', 'notes.1.0badc0de.tmp'])
      writeFileSync(join(dir, n), 'x');
    assert.equal(removeStaleTemps(dir).sort(), [`.config.json.${dead}.0badc0de.tmp`, `.key.${dead}.00000000.tmp`]);
    assert.equal(readdirSync(dir).sort(), [`.config.json.${live}.abcdef01.tmp`, '.hidden.tmp', 'config.json', 'notes.1.0badc0de.tmp']);
    assert.equal(removeStaleTemps(join(dir, 'missing')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
