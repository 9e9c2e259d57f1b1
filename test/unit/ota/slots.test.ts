import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseLaunch, commit, flip, inactiveSlot, initialState, rollback, beginWrite } from '../../../src/ota/slots';
import { compareVersions } from '../../../src/ota/version';

const newer = (a: string, b: string) => compareVersions(a, b) > 0;
const all = () => true;

test('a fresh device runs the factory app and writes slot a first', () => {
  const s = initialState('0.1.0');
  assert.is(inactiveSlot(s), 'a');
  assert.is(chooseLaunch(s, all, 0).slot, 'factory');
});

test('try once: the flipped slot is started once, then the committed one comes back (boot counter)', () => {
  let s = flip(initialState('0.1.0'), 'a', { version: '0.2.0', buildId: 'x' }, 1, 10);
  const first = chooseLaunch(s, all, 11);
  assert.is(first.slot, 'a');
  assert.is(first.state.trial?.triesLeft, 0);
  s = first.state;
  const second = chooseLaunch(s, all, 12);
  assert.is(second.slot, 'factory');
  assert.is(second.rolledBack?.result, 'rolled_back');
  assert.match(second.rolledBack!.reason, 'boot counter exhausted');
  assert.is(second.state.slots.a?.status, 'bad');
  assert.is(second.state.trial, undefined);
});

test('commit makes the trial slot active and raises the anti-rollback floor; the next update goes to the other slot', () => {
  let s = flip(initialState('0.1.0'), 'a', { version: '0.2.0', buildId: 'x' }, 1, 10);
  s = chooseLaunch(s, all, 11).state;
  s = commit(s, 'proof', 12, newer);
  assert.is(s.active, 'a');
  assert.is(s.minVersion, '0.2.0');
  assert.is(s.slots.a?.status, 'good');
  assert.is(inactiveSlot(s), 'b');
  assert.is(chooseLaunch(s, all, 13).slot, 'a');
});

test('a committed slot whose files are damaged is never started: the other good slot, else factory', () => {
  let s = commit(chooseLaunch(flip(initialState('0.1.0'), 'a', { version: '0.2.0', buildId: 'x' }, 1, 1), all, 2).state, 'p', 3, newer);
  assert.is(chooseLaunch(s, (x) => x !== 'a', 4).slot, 'factory');
  s = commit(chooseLaunch(flip(s, 'b', { version: '0.3.0', buildId: 'y' }, 1, 5), all, 6).state, 'p', 7, newer);
  assert.is(s.active, 'b');
  assert.is(chooseLaunch(s, (x) => x !== 'b', 8).slot, 'a');
});

test('a trial slot with missing files is rolled back without a start; rollback keeps the active slot', () => {
  const s = flip(initialState('0.1.0'), 'a', { version: '0.2.0', buildId: 'x' }, 3, 1);
  const c = chooseLaunch(s, () => false, 2);
  assert.is(c.slot, 'factory');
  assert.match(c.rolledBack!.reason, 'missing or damaged');
  const r = rollback(s, 'no proof', 3);
  assert.is(r.active, 'factory');
  assert.is(r.last?.reason, 'no proof');
});

test('beginWrite forgets the target slot, never the active one', () => {
  let s = commit(chooseLaunch(flip(initialState('0.1.0'), 'a', { version: '0.2.0', buildId: 'x' }, 1, 1), all, 2).state, 'p', 3, newer);
  s = beginWrite(s, 'b');
  assert.ok(s.slots.a);
  assert.is(s.active, 'a');
});

test('versions order as semver: pre-releases before the release, numbers numerically', () => {
  assert.ok(compareVersions('0.10.0', '0.9.9') > 0);
  assert.ok(compareVersions('1.0.0-rc.1', '1.0.0') < 0);
  assert.ok(compareVersions('1.0.0-rc.10', '1.0.0-rc.9') > 0);
  assert.ok(compareVersions('1.0.0-alpha', '1.0.0-1') > 0);
  assert.is(compareVersions('2.3.4', '2.3.4'), 0);
});

test.run();
