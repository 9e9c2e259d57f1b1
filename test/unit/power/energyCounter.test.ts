import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnergyIntegrator } from '../../../src/power/energyCounter';
import { EnergySaver, loadEnergy } from '../../../src/power/energyStore';
import { backupPathOf } from '../../../src/store';

test('integrates power over time (trapezoid) and skips gaps and bad samples', () => {
  const e = new EnergyIntegrator();
  for (let s = 0; s <= 3600; s += 5) e.add(s * 1000, 1000);
  assert.ok(Math.abs(e.kwh - 1) < 1e-9, `${e.kwh}`);
  e.add(3600_000 + 10 * 60_000, 1000); // 10 min gap: not counted
  assert.ok(Math.abs(e.kwh - 1) < 1e-9);
  e.add(3600_000 + 10 * 60_000 + 1000, Number.NaN);
  e.add(3600_000 + 10 * 60_000 + 1000, -5);
  e.add(3600_000 + 10 * 60_000 + 3600, 2000); // ramp 1000 -> 2000 W over 3.6 s = 5400 J
  assert.ok(Math.abs(e.kwh - (1 + 5400 / 3.6e6)) < 1e-9);
  assert.is(new EnergyIntegrator(Number.NaN).kwh, 0);
});

test('the counter survives a restart, writes at a bounded rate, and a corrupt file starts afresh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbs-energy-'));
  try {
    const path = join(dir, 'energy.json');
    assert.equal(loadEnergy(path), { kwh: 0 });
    const saver = new EnergySaver(path, 15 * 60_000);
    const e = new EnergyIntegrator();
    for (let s = 0; s <= 24 * 3600; s += 10) {
      e.add(s * 1000, 800);
      saver.maybeSave(s * 1000, e.kwh);
    }
    assert.is(saver.writes, 96 + 1, 'one write per 15 min over a day');
    saver.maybeSave(24 * 3600_000 + 1, e.kwh, true);
    const back = loadEnergy(path);
    assert.ok(Math.abs(back.kwh - 19.2) < 1e-6, `${back.kwh}`);
    const resumed = new EnergyIntegrator(back.kwh * 3.6e6);
    assert.ok(Math.abs(resumed.kwh - 19.2) < 1e-6);
    writeFileSync(path, 'garbage');
    assert.ok(Math.abs(loadEnergy(path).kwh - 19.2) < 0.3, 'falls back to the .bak copy');
    writeFileSync(backupPathOf(path), 'garbage');
    const bad = loadEnergy(path);
    assert.is(bad.kwh, 0);
    assert.ok(bad.problem && bad.problem.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
