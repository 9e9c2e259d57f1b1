import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getChipFamily } from '../../../src/chips';
import { loadBoard } from '../../../src/config/boardLoader';
import { KabosuError } from '../../../src/core/errors';
import { ProfileStore, parseProfileFile, profileKey, startsFromProfiles } from '../../../src/tuning/profile';
import type { ProfileFile } from '../../../src/tuning/profile';
import { minerSpecFromBoard } from '../../../src/tuning/spec';
import { presetTarget, targetFromConfig } from '../../../src/tuning/presets';

const spec = minerSpecFromBoard(loadBoard('l3plus'), getChipFamily('bm1485'));

function file(): ProfileFile {
  return {
    version: 1,
    model: 'l3plus',
    power: { a: 7e-5, d: 70 },
    boards: [0, 1, 2, 3].map((slot) => ({
      key: profileKey(slot === 2 ? null : `S${slot}`, slot),
      serial: slot === 2 ? null : `S${slot}`,
      slot,
      voltageV: spec.voltage.minV,
      freqMHz: new Array<number>(72).fill(400),
      dead: new Array<boolean>(72).fill(false),
      chars: [{ voltageV: spec.voltage.minV, freqMHz: new Array<number>(72).fill(404.1666666666667) }],
      conditions: { ambientC: 25, boardC: 60, target: { kind: 'efficiency', minHashrateHps: 5e8 }, savedAtMs: 1 },
    })),
  };
}

test('a profile file round-trips through JSON and the parser', () => {
  const f = file();
  assert.equal(parseProfileFile(JSON.parse(JSON.stringify(f))), f);
});

test('profiles match boards by EEPROM serial, or by slot without one; a swapped board gets none', () => {
  const starts = startsFromProfiles(file(), spec, 'l3plus', ['S0', 'S1', null, 'OTHER']);
  assert.ok(starts[0] && starts[1] && starts[2]);
  assert.is(starts[3], null);
  assert.is(spec.ladderMHz[starts[0]!.index[0]!], 400);
  assert.equal(startsFromProfiles(file(), spec, 'l7', ['S0', 'S1', null, 'S3']), [null, null, null, null], 'another model');
  const bad = file();
  bad.boards[0]!.voltageV = 20;
  assert.is(startsFromProfiles(bad, spec, 'l3plus', ['S0'])[0], null, 'voltage out of range');
});

test('bad profile files are refused with KBS_E_TUNING_PROFILE, saying where', () => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /not an object/],
    [{ ...file(), version: 2 }, /version/],
    [{ ...file(), boards: 'x' }, /boards/],
    [{ ...file(), boards: [{ ...file().boards[0], freqMHz: [1, 'a'] }] }, /freqMHz\[1\]/],
    [{ ...file(), boards: [{ ...file().boards[0], dead: [true] }] }, /dead/],
    [{ ...file(), boards: [{ ...file().boards[0], conditions: { ...file().boards[0]!.conditions, target: { kind: 'moon' } } }] }, /unknown target/],
  ];
  for (const [x, re] of cases) {
    try {
      parseProfileFile(x);
      assert.unreachable(String(re));
    } catch (e) {
      assert.instance(e, KabosuError);
      assert.is((e as KabosuError).code, 'KBS_E_TUNING_PROFILE');
      assert.match((e as Error).message, re);
    }
  }
});

test('the store writes atomically with a checksum; a corrupt file falls back to the last good copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-prof-'));
  try {
    const s = new ProfileStore(join(dir, 'tuning.json'));
    assert.is(s.load(), null);
    const a = file();
    s.save(a);
    const b = file();
    b.power = { a: 8e-5, d: 60 };
    s.save(b);
    assert.equal(s.load(), b);
    writeFileSync(join(dir, 'tuning.json'), '{"torn');
    assert.equal(s.load(), a, 'the .bak copy');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('presets and config map to targets', () => {
  const pub = { hashrateHps: 504e6, wallPowerW: 800 };
  assert.is(presetTarget('stock', pub), null);
  assert.equal(presetTarget('eco', pub), { kind: 'efficiency', minHashrateHps: 0.8 * 504e6 });
  assert.equal(presetTarget('max', pub), { kind: 'hashrate', hashrateHps: null });
  assert.equal(targetFromConfig({ target: 'power', powerW: 650 }, pub), { kind: 'power', maxPowerW: 650 });
  assert.equal(targetFromConfig({ target: 'efficiency', hashrateFloor: 450 }, pub), { kind: 'efficiency', minHashrateHps: 450e6 });
  assert.equal(targetFromConfig({ preset: 'eco' }, pub), presetTarget('eco', pub));
});

test.run();
