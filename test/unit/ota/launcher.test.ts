import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planLaunch } from '../../../src/ota/launcher';
import { otaPaths, writeState } from '../../../src/ota/slotStore';
import { flip, initialState } from '../../../src/ota/slots';

const dir = mkdtempSync(join(tmpdir(), 'kabosu-launch-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function slot(p: ReturnType<typeof otaPaths>, s: 'a' | 'b', version: string, buildId: string): void {
  mkdirSync(join(p.slots, s), { recursive: true });
  writeFileSync(join(p.slots, s, 'kabosu'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(p.slots, s, 'slot.json'), JSON.stringify({ version, buildId }));
}

test('the trial slot is started with its executable, KABOSU_SLOT set, WATCHDOG_PID dropped, and the counter written down first', () => {
  const p = otaPaths(join(dir, 'one'));
  slot(p, 'a', '0.2.0', 'x');
  writeState(p, flip(initialState('0.1.0'), 'a', { version: '0.2.0', buildId: 'x' }, 1, 1));
  const plan = planLaunch(p, '0.1.0', ['run'], { WATCHDOG_PID: '1', WATCHDOG_USEC: '30000000' }, 2);
  assert.is(plan.choice.slot, 'a');
  assert.equal(plan.command, [join(p.slots, 'a', 'kabosu'), 'run']);
  assert.is(plan.env.KABOSU_SLOT, 'a');
  assert.is(plan.env.WATCHDOG_PID, undefined);
  assert.is(plan.env.WATCHDOG_USEC, '30000000');
  assert.is(planLaunch(p, '0.1.0', ['run'], {}, 3).choice.slot, 'factory', 'the try was used up on disk');
});

test('a slot whose files do not match the state (a different build in slot.json) is not started', () => {
  const p = otaPaths(join(dir, 'two'));
  slot(p, 'a', '0.2.0', 'other-build');
  writeState(p, flip(initialState('0.1.0'), 'a', { version: '0.2.0', buildId: 'x' }, 1, 1));
  assert.is(planLaunch(p, '0.1.0', ['run'], {}, 2).choice.slot, 'factory');
});

test('a state with both copies damaged starts the factory app instead of failing', () => {
  const p = otaPaths(join(dir, 'three'));
  mkdirSync(p.root, { recursive: true });
  writeFileSync(p.state, '{"kabosuStore":1,"sha256":"00","data":{}}');
  writeFileSync(`${p.state}.bak`, 'garbage');
  const plan = planLaunch(p, '0.1.0', ['run'], {}, 1);
  assert.is(plan.choice.slot, 'factory');
  assert.match(plan.choice.note, 'OTA state unusable');
});

test.run();
