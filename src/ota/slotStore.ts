import { accessSync, constants, fsyncSync, closeSync, openSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeJson } from '../store';
import { KabosuError } from '../core/errors';
import { initialState, isOtaState, type OtaState, type RunSlot, type SlotName } from './slots';
import { APP_EXECUTABLE } from './manifest';

/**
 * Where the A/B app slots and their state live on the data partition:
 *   <dataDir>/ota/state.json (+ .bak)   the slot state (slots.ts), checksummed
 *   <dataDir>/ota/keys.json (+ .bak)    signing keys admitted by rotation (endorsements)
 *   <dataDir>/ota/slots/{a,b}/           kabosu (+ kabosu.node, ...) and slot.json
 *   <dataDir>/ota/slots/.<x>.partial/    a slot being written (removed when interrupted)
 *   <dataDir>/ota/download/              a URL download in progress (resumed after a cut)
 */
export interface OtaPaths {
  root: string;
  state: string;
  keys: string;
  slots: string;
  download: string;
  lock: string;
}

export function otaPaths(dataDir: string): OtaPaths {
  const root = join(dataDir, 'ota');
  return { root, state: join(root, 'state.json'), keys: join(root, 'keys.json'), slots: join(root, 'slots'), download: join(root, 'download'), lock: join(root, 'install.lock') };
}

export const slotDir = (p: OtaPaths, s: SlotName): string => join(p.slots, s);
export const partialDir = (p: OtaPaths, s: SlotName): string => join(p.slots, `.${s}.partial`);

export function ensureDirs(p: OtaPaths): void {
  mkdirSync(p.slots, { recursive: true, mode: 0o700 });
}

/** The state on disk, or the first-run state (everything on the factory app). */
export function readState(p: OtaPaths, factoryVersion: string): OtaState {
  const r = readJson<unknown>(p.state);
  if (!r) return initialState(factoryVersion);
  if (!isOtaState(r.data)) throw new KabosuError('KBS_E_OTA_STATE', `${p.state} is not an OTA state document`, { hint: `move ${p.state} aside: the launcher then starts the factory app` });
  return r.data;
}

export function writeState(p: OtaPaths, s: OtaState): void {
  ensureDirs(p);
  writeJson(p.state, s, { mode: 0o600 });
}

/** Keys admitted by rotation, added to the configured ones. */
export function readRotatedKeys(p: OtaPaths): string[] {
  const r = readJson<unknown>(p.keys);
  return r && Array.isArray(r.data) ? r.data.filter((k): k is string => typeof k === 'string') : [];
}

export function addRotatedKeys(p: OtaPaths, keys: string[]): void {
  if (keys.length === 0) return;
  const now = readRotatedKeys(p);
  const next = [...new Set([...now, ...keys])];
  if (next.length !== now.length) writeJson(p.keys, next, { mode: 0o600 });
}

/** Can the launcher start this slot: its executable is there and runnable, its slot.json names the version the state expects. */
export function slotUsable(p: OtaPaths, s: SlotName, state: OtaState): boolean {
  const dir = slotDir(p, s);
  const info = state.slots[s];
  if (!info || info.status === 'bad') return false;
  try {
    accessSync(join(dir, APP_EXECUTABLE), constants.X_OK);
    const meta = JSON.parse(readFileSync(join(dir, 'slot.json'), 'utf8')) as { version?: string; buildId?: string };
    return meta.version === info.version && meta.buildId === info.buildId;
  } catch {
    return false;
  }
}

export function executableOf(p: OtaPaths, s: SlotName): string {
  return join(slotDir(p, s), APP_EXECUTABLE);
}

export function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // directories on some filesystems refuse fsync; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The version the running app is (the slot's, from state), for status and anti-rollback. */
export function runningVersion(state: OtaState, slot: RunSlot, factoryVersion: string): { version: string; buildId?: string } {
  if (slot === 'factory') return { version: factoryVersion };
  const i = state.slots[slot];
  return i ? { version: i.version, buildId: i.buildId } : { version: factoryVersion };
}

