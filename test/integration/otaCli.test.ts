/**
 * `kabosu ota` as a process: keygen/build/sign/inspect/verify, install into the inactive slot,
 * unsigned and wrongly signed bundles refused before anything is written (the data dir is
 * byte-for-byte unchanged), and key rotation (a new key endorsed by the trusted one). Other bad
 * bundles: otaCliRefusals.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OtaRig } from '../helpers/otaRig';

const APP = '#!/bin/sh\necho "app $0 $@"\n';
let rig: OtaRig;
test.before.each(() => {
  rig = new OtaRig();
});
test.after.each(() => rig.cleanup());

/** Refused with this code, and nothing under the data dir changed. */
function refused(bundle: string, code: string): void {
  const before = rig.snapshot();
  const r = rig.cliSync(rig.installArgs(bundle));
  assert.is(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stderr, `error ${code}`);
  assert.match(r.stderr, 'hint:');
  assert.equal(rig.snapshot(), before, 'the data dir must be untouched');
}

test('build, inspect, verify and install: the inactive slot holds the payload, the state names a try-once trial', () => {
  const b = rig.build('b.kbota', '0.2.0', 'ci-2', rig.app('v2', APP));
  assert.is(b.code, 0, b.stderr);
  const ins = JSON.parse(rig.cliSync(['ota', 'inspect', '--json', rig.path('b.kbota')]).stdout);
  assert.is(ins.manifest.version, '0.2.0');
  assert.equal(ins.manifest.payloads.map((p: { file: string }) => p.file), ['kabosu', 'kabosu.node']);
  assert.equal(ins.signedBy, [rig.pub]);
  const v = rig.cliSync(['ota', 'verify', '--trust', rig.pub, rig.path('b.kbota')]);
  assert.is(v.code, 0, v.stderr);
  const k = rig.cliSync(['ota', 'keygen', '--out', rig.path('k2.pem')]);
  assert.match(k.stdout, /^[A-Za-z0-9+/]{43}=\n$/);
  assert.match(readFileSync(rig.path('k2.pem'), 'utf8'), 'BEGIN PRIVATE KEY');
  const r = rig.cliSync([...rig.installArgs('b.kbota'), '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /"percent":100[^\n]*"phase":"writing"/);
  assert.is(JSON.parse(r.stdout).slot, 'a');
  const s = rig.state();
  assert.is(s.active, 'factory');
  assert.equal(s.trial && { slot: s.trial.slot, triesLeft: s.trial.triesLeft }, { slot: 'a', triesLeft: 1 });
  assert.is(readFileSync(join(rig.data, 'ota/slots/a/kabosu'), 'utf8'), APP);
  assert.equal(readFileSync(join(rig.data, 'ota/slots/a/kabosu.node')), readFileSync(rig.path('v2/kabosu.node')));
});

test('unsigned, signed by an untrusted key, and a manifest changed after signing: refused', () => {
  rig.cliSync(['ota', 'build', '--out', rig.path('u.kbota'), '--version', '0.2.0', '--build-id', 'u', '--board', 'l3plus', ...rig.app('v2', APP)]);
  refused('u.kbota', 'KBS_E_OTA_UNSIGNED');
  rig.cliSync(['ota', 'keygen', '--out', rig.path('other.pem')]);
  rig.cliSync(['ota', 'sign', '--key', rig.path('other.pem'), rig.path('u.kbota')]);
  refused('u.kbota', 'KBS_E_OTA_UNTRUSTED_KEY');
  rig.build('s.kbota', '0.2.0', 's', rig.app('v2', APP));
  const buf = readFileSync(rig.path('s.kbota'));
  const forged = Buffer.from(buf.toString('latin1').replace('\\"version\\": \\"0.2.0\\"', '\\"version\\": \\"0.9.0\\"'), 'latin1');
  assert.not.equal(forged, buf, 'the test must change the manifest');
  writeFileSync(rig.path('f.kbota'), forged);
  refused('f.kbota', 'KBS_E_OTA_BAD_SIGNATURE');
});

test('key rotation: a bundle signed by a new key endorsed by the trusted one installs, and the new key is trusted from then on', () => {
  const newPub = rig.cliSync(['ota', 'keygen', '--out', rig.path('new.pem')]).stdout.trim();
  rig.cliSync(['ota', 'build', '--out', rig.path('n.kbota'), '--version', '0.2.0', '--build-id', 'n1', '--board', 'l3plus', '--key', rig.path('new.pem'), ...rig.app('v2', APP)]);
  refused('n.kbota', 'KBS_E_OTA_UNTRUSTED_KEY');
  assert.is(rig.cliSync(['ota', 'endorse', '--key', rig.key, '--new', newPub, '--out', rig.path('e.json')]).code, 0);
  assert.is(rig.cliSync(['ota', 'sign', '--key', rig.path('new.pem'), '--endorsement', rig.path('e.json'), rig.path('n.kbota')]).code, 0);
  const r = rig.cliSync(rig.installArgs('n.kbota'));
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(join(rig.data, 'ota/keys.json'), 'utf8'), newPub);
  // A forged endorsement (signed by a key the device does not trust) admits nothing.
  const evil = rig.cliSync(['ota', 'keygen', '--out', rig.path('evil.pem')]).stdout.trim();
  rig.cliSync(['ota', 'endorse', '--key', rig.path('new.pem'), '--new', evil, '--out', rig.path('e2.json')]);
  const e2 = JSON.parse(readFileSync(rig.path('e2.json'), 'utf8'));
  e2.by = rig.pub;
  writeFileSync(rig.path('e2.json'), JSON.stringify(e2));
  rig.cliSync(['ota', 'build', '--out', rig.path('x.kbota'), '--version', '0.2.1', '--build-id', 'x1', '--board', 'l3plus', '--key', rig.path('evil.pem'), '--endorsement', rig.path('e2.json'), ...rig.app('v2', APP)]);
  const before = rig.snapshot();
  const x = rig.cliSync(rig.installArgs('x.kbota'));
  assert.match(x.stderr, 'KBS_E_OTA_BAD_SIGNATURE');
  assert.equal(rig.snapshot(), before);
});

test.run();
