/**
 * `kabosu ota install` as a process on bad bundles: truncated, oversized, wrong arch or board,
 * older than the anti-rollback floor, replayed, needing a newer running version, a rootfs image
 * without A/B partitions — each refused with its reason before anything is written (the data dir
 * is byte-for-byte unchanged); a signed manifest lying about a payload caught while streaming.
 * (Unsigned and wrongly signed bundles: otaCli.test.ts.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { OtaRig } from '../helpers/otaRig';
import { encodeHeader, encodePreamble, privateKeyFromPem, signManifest } from '../../src/ota';

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

test('truncated, oversized, wrong arch, wrong board, older than the minimum, replayed, needs a newer running version, rootfs without A/B partitions: refused', () => {
  rig.build('b.kbota', '0.2.0', 'b', rig.app('v2', APP, 2 * 1024 * 1024));
  const full = readFileSync(rig.path('b.kbota'));
  writeFileSync(rig.path('t.kbota'), full.subarray(0, Math.floor(full.length / 2)));
  refused('t.kbota', 'KBS_E_OTA_TRUNCATED');
  writeFileSync(rig.path('t2.kbota'), full.subarray(0, 20));
  refused('t2.kbota', 'KBS_E_OTA_TRUNCATED');
  rig.writeConfig({ ota: { maxBundleBytes: 1024 * 1024 } });
  refused('b.kbota', 'KBS_E_OTA_OVERSIZED');
  rig.writeConfig();
  rig.build('arch.kbota', '0.2.0', 'arch', rig.app('v2', APP), ['--arch', process.arch === 'arm64' ? 'x64' : 'arm64']);
  refused('arch.kbota', 'KBS_E_OTA_WRONG_ARCH');
  rig.cliSync(['ota', 'build', '--out', rig.path('board.kbota'), '--version', '0.2.0', '--build-id', 'board', '--board', 'l7', '--key', rig.key, ...rig.app('v2', APP)]);
  refused('board.kbota', 'KBS_E_OTA_WRONG_BOARD');
  rig.build('old.kbota', '0.0.9', 'old', rig.app('v0', APP));
  refused('old.kbota', 'KBS_E_OTA_OLDER_THAN_MINIMUM');
  rig.build('mf.kbota', '0.3.0', 'mf', rig.app('v3', APP), ['--min-from', '0.2.5']);
  refused('mf.kbota', 'KBS_E_OTA_VERSION_TOO_OLD_TO_REPLACE');
  writeFileSync(rig.path('rootfs.img'), Buffer.alloc(4096, 1));
  rig.build('rfs.kbota', '0.2.0', 'rfs', rig.app('v2', APP), ['--rootfs', rig.path('rootfs.img')]);
  refused('rfs.kbota', 'KBS_E_OTA_UNSUPPORTED_PAYLOAD');
  assert.is(rig.cliSync(rig.installArgs('b.kbota')).code, 0);
  refused('b.kbota', 'KBS_E_OTA_REPLAYED');
});

/** A signed bundle whose manifest lies about its payloads (what a compromised build step could emit). */
function lyingBundle(name: string, lie: 'hash' | 'sizes'): void {
  const payload = Buffer.alloc(300_000, 7);
  const second = Buffer.alloc(1000, 9);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const payloads = [
    { kind: 'app', file: 'kabosu', size: lie === 'sizes' ? payload.length - 500 : payload.length, sha256: lie === 'hash' ? sha(Buffer.alloc(300_000, 8)) : sha(payload), mode: 0o755 },
    { kind: 'app', file: 'kabosu.node', size: lie === 'sizes' ? second.length + 500 : second.length, sha256: sha(second), mode: 0o644 },
  ];
  const manifestText = JSON.stringify({ format: 1, version: '0.2.0', buildId: name, arch: process.arch, boards: ['l3plus'], minFromVersion: '0.0.0', createdAt: '2026-12-07T00:00:00.000Z', payloads });
  const h = encodeHeader({ manifestText, signatures: [signManifest(manifestText, privateKeyFromPem(readFileSync(rig.key, 'utf8')))], endorsements: [] });
  writeFileSync(rig.path(`${name}.kbota`), Buffer.concat([encodePreamble(h.length), h, payload, second]));
}

test('a signed manifest lying about a payload hash or sizes is caught while streaming: no slot, no partial, state unchanged', () => {
  for (const [name, code] of [['hash', 'KBS_E_OTA_HASH_MISMATCH'], ['sizes', 'KBS_E_OTA_HASH_MISMATCH']] as const) {
    lyingBundle(name, name);
    const before = rig.snapshot();
    const r = rig.cliSync(rig.installArgs(`${name}.kbota`));
    assert.is(r.code, 1);
    assert.match(r.stderr, code);
    assert.equal(rig.snapshot(), before, `${name}: the data dir must be as before`);
    assert.equal(existsSync(join(rig.data, 'ota/slots')) ? readdirSync(join(rig.data, 'ota/slots')) : [], []);
  }
});

test.run();
