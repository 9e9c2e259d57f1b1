import { closeSync, fsync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statfsSync, statSync, writeFileSync, writeSync, fchmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OtaError } from './errors';
import { BundleReader } from './bundleReader';
import { verifyHeader } from './signing';
import { checkManifest, type DeviceFacts } from './policy';
import { payloadBytes, type Manifest } from './manifest';
import { beginWrite, flip, inactiveSlot, type OtaState, type SlotName, type RunSlot } from './slots';
import { addRotatedKeys, ensureDirs, fsyncPath, partialDir, readRotatedKeys, readState, runningVersion, slotDir, writeState, type OtaPaths } from './slotStore';
import { progressOf, type Progress } from './progress';
import { faultPoint } from './faults';

/**
 * Installs a bundle stream into the inactive app slot:
 *  1. header + manifest read, signature verified against the trusted keys, manifest checked
 *     against the device (arch, board, size limit, anti-rollback, replay) — nothing written yet;
 *  2. free space checked for the payloads;
 *  3. payloads streamed into `slots/.<x>.partial/`, each hashed while written, fsynced;
 *  4. the partial directory renamed to `slots/<x>` (synced);
 *  5. the flip: state.json records the trial (try-once) — the launcher starts it next time.
 * A power cut anywhere before 5 leaves the state untouched (the running slot stays committed);
 * after 5, the launcher tries the new slot and the commit check or the boot counter decide.
 */
export interface InstallOptions {
  paths: OtaPaths;
  source: AsyncIterable<Buffer | Uint8Array | string>;
  device: Pick<DeviceFacts, 'arch' | 'board' | 'maxBundleBytes' | 'rootfsSlots'>;
  /** The app running now (its slot) and the factory app's version. */
  running: RunSlot;
  factoryVersion: string;
  /** Configured keys (ota.publicKeys); keys admitted by rotation are added from keys.json. */
  trustedKeys: string[];
  /** Starts the launcher makes into the new slot before giving up (try-once: 1). */
  tries: number;
  nowMs: () => number;
  onProgress?: (p: Progress & { phase: 'writing' }) => void;
  /** The bundle's length when known (a file's size, an upload's content-length): a mismatch is refused before writing. */
  sourceBytes?: number;
  /** Bytes free on the data partition (default: statfs). */
  freeBytes?: (dir: string) => number;
}

export interface InstallResult {
  manifest: Manifest;
  slot: SlotName;
  signedBy: string;
  newKeys: string[];
  state: OtaState;
}

/** Free space margin left for config, history and logs. */
export const SPACE_MARGIN_BYTES = 8 * 1024 * 1024;

export function statfsFree(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

function dirBytes(dir: string): number {
  try {
    return readdirSync(dir).reduce((a, n) => a + statSync(join(dir, n)).size, 0);
  } catch {
    return 0;
  }
}

/** One install at a time (daemon, CLI, a second CLI): an O_EXCL lock file with the owner's pid. */
export function takeLock(p: OtaPaths): () => void {
  ensureDirs(p);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(p.lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(p.lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = 0;
      try {
        pid = Number(require('node:fs').readFileSync(p.lock, 'utf8'));
      } catch {
        /* vanished */
      }
      if (pid > 0 && pid !== process.pid && alive(pid)) throw new OtaError('busy', `another update is in progress (pid ${pid})`, 'wait for it to finish (kabosu ota status)');
      rmSync(p.lock, { force: true }); // a writer killed mid-install
    }
  }
  throw new OtaError('busy', 'cannot take the update lock', `remove ${p.lock} if no update runs`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leftovers of an install a power cut interrupted: partial slot directories. */
export function removePartials(p: OtaPaths): void {
  for (const s of ['a', 'b'] as const) rmSync(partialDir(p, s), { recursive: true, force: true });
}

export async function installBundle(o: InstallOptions): Promise<InstallResult> {
  const p = o.paths;
  const release = takeLock(p);
  const reader = new BundleReader(o.source);
  try {
    let state = readState(p, o.factoryVersion);
    const { header, manifest, headerBytes } = await reader.header();
    const verified = verifyHeader(header, [...o.trustedKeys, ...readRotatedKeys(p)]);
    const run = runningVersion(state, o.running, o.factoryVersion);
    checkManifest(manifest, { ...o.device, runningVersion: run.version, runningBuildId: run.buildId, minVersion: state.minVersion, seenBuildIds: state.seenBuildIds }, headerBytes);
    if (state.trial && state.slots[state.trial.slot]?.status === 'trying') throw new OtaError('busy', `version ${state.slots[state.trial.slot]?.version} is on trial in slot ${state.trial.slot}`, 'wait until it is committed or rolled back (kabosu ota status)');
    const expected = headerBytes + payloadBytes(manifest);
    if (o.sourceBytes !== undefined && o.sourceBytes !== expected) {
      throw new OtaError(o.sourceBytes < expected ? 'truncated' : 'size_mismatch', `bundle is ${o.sourceBytes} bytes, its manifest describes ${expected}`, o.sourceBytes < expected ? 'the file or download is incomplete: fetch it again' : 'rebuild the bundle');
    }
    const slot = inactiveSlot(state);
    if (slot === o.running) throw new OtaError('busy', `slot ${slot} is running on trial; commit or roll it back first`, 'wait for the commit window to end');

    removePartials(p);
    const need = payloadBytes(manifest) + SPACE_MARGIN_BYTES;
    const free = (o.freeBytes ?? statfsFree)(p.root) + dirBytes(slotDir(p, slot));
    if (free < need) throw new OtaError('no_space', `the data partition has ${free} bytes free for a ${need}-byte update (payloads + ${SPACE_MARGIN_BYTES} margin)`, 'free space on the data partition (old logs, history) and try again');

    // From here on bytes are written, only into the inactive slot's partial directory.
    const part = partialDir(p, slot);
    mkdirSync(part, { recursive: true, mode: 0o700 });
    const total = payloadBytes(manifest);
    const start = o.nowMs();
    let done = 0;
    for (const entry of manifest.payloads) {
      const fd = openSync(join(part, entry.file), 'wx', 0o600);
      try {
        await reader.payload(entry, (chunk) => {
          let off = 0;
          while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
          done += chunk.length;
          if (done * 2 >= total) faultPoint('write');
          o.onProgress?.({ ...progressOf(done, total, o.nowMs() - start), phase: 'writing' });
        });
        fchmodSync(fd, entry.mode);
        // Off the event loop: flushing a large payload to an SD card can take seconds, and the
        // daemon's thermal loop keeps running meanwhile.
        await promisify(fsync)(fd);
      } finally {
        closeSync(fd);
      }
    }
    await reader.end();
    writeFileSync(join(part, 'slot.json'), JSON.stringify({ version: manifest.version, buildId: manifest.buildId, manifest }, null, 2) + '\n', { mode: 0o600 });
    fsyncPath(join(part, 'slot.json'));
    fsyncPath(part);
    // Verified: the inactive slot is forgotten, then replaced.
    state = beginWrite(state, slot);
    writeState(p, state);
    rmSync(slotDir(p, slot), { recursive: true, force: true });
    renameSync(part, slotDir(p, slot));
    fsyncPath(p.slots);
    faultPoint('after-write');

    state = flip(state, slot, manifest, o.tries, o.nowMs());
    writeState(p, state);
    addRotatedKeys(p, verified.newKeys);
    faultPoint('after-flip');
    return { manifest, slot, signedBy: verified.signedBy, newKeys: verified.newKeys, state };
  } catch (err) {
    removePartials(p);
    throw err;
  } finally {
    await reader.close().catch(() => undefined);
    release();
  }
}
