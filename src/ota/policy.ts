import { OtaError } from './errors';
import { payloadBytes, type Manifest } from './manifest';
import { compareVersions } from './version';

/** What the device is and runs, against which a manifest is judged. */
export interface DeviceFacts {
  arch: string;
  board: string;
  /** The version running now (the committed slot's). */
  runningVersion: string;
  runningBuildId?: string;
  /** Anti-rollback floor: no bundle older than this (raised on every commit). */
  minVersion: string;
  /** Build ids already installed or refused as bad on this device (replay protection). */
  seenBuildIds: readonly string[];
  maxBundleBytes: number;
  /** May this device write a root-filesystem image (needs the A/B SD image). */
  rootfsSlots: boolean;
}

/**
 * Refuses (OtaError with the reason) a manifest that must not be installed on this device:
 * wrong arch or board, too big, older than the floor, already seen (replayed), or needing a
 * newer running version than this one. Pure.
 */
export function checkManifest(m: Manifest, d: DeviceFacts, headerBytes: number): void {
  if (m.arch !== d.arch) throw new OtaError('wrong_arch', `bundle is for ${m.arch}, this controller is ${d.arch}`, `use the ${d.arch} bundle of version ${m.version}`);
  if (!m.boards.includes(d.board)) throw new OtaError('wrong_board', `bundle is for boards ${m.boards.join(', ')}, this miner is ${d.board}`, 'use the bundle built for this board');
  const total = payloadBytes(m) + headerBytes;
  if (total > d.maxBundleBytes) throw new OtaError('oversized', `bundle is ${total} bytes, over the ${d.maxBundleBytes}-byte limit (ota.maxBundleBytes)`, 'raise ota.maxBundleBytes if this size is expected');
  if (compareVersions(m.version, d.minVersion) < 0) throw new OtaError('older_than_minimum', `version ${m.version} is older than this device's minimum ${d.minVersion} (anti-rollback)`, 'install a newer version; an older one is refused once a newer one was committed');
  if (d.seenBuildIds.includes(m.buildId) || (m.buildId === d.runningBuildId && m.version === d.runningVersion)) {
    throw new OtaError('replayed', `build ${m.buildId} (${m.version}) was already installed on this device`, 'a bundle is installed once; build a new one');
  }
  if (compareVersions(d.runningVersion, m.minFromVersion) < 0) throw new OtaError('version_too_old_to_replace', `version ${m.version} replaces ${m.minFromVersion} or later; this miner runs ${d.runningVersion}`, `install ${m.minFromVersion} first`);
  if (!d.rootfsSlots && m.payloads.some((p) => p.kind === 'rootfs')) {
    throw new OtaError('unsupported_payload', 'bundle carries a root-filesystem image, and this system has no A/B root partitions', 'use an app-only bundle (`kabosu ota build` without --rootfs) until the A/B SD image is installed');
  }
}
