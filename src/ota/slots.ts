/**
 * The A/B app slots' state machine (docs/ota.md), kept in `<dataDir>/ota/state.json` (a
 * checksummed store document with a .bak copy). Pure: every transition takes a state and returns
 * the next one; the installer, the launcher and the daemon's commit check write it.
 *
 *   factory ──install B──▶ trial{B, tries} ──proof──▶ active=B (committed)
 *                               │ tries used up / no proof in the window / crash loop
 *                               ▼
 *                          B bad, active unchanged (rolled back)
 *
 * `factory` is the app in the root filesystem (/usr/bin/kabosu): always there, never written
 * by an update, the last resort of the launcher.
 */
export type SlotName = 'a' | 'b';
export type RunSlot = SlotName | 'factory';

export interface SlotInfo {
  version: string;
  buildId: string;
  installedAtMs: number;
  /** installed: written, never run; trying: on trial; good: committed once; bad: failed its trial. */
  status: 'installed' | 'trying' | 'good' | 'bad';
}

export interface Trial {
  slot: SlotName;
  /** Starts the launcher may still make into the trial slot (the boot counter). */
  triesLeft: number;
  from: RunSlot;
  flippedAtMs: number;
}

export type Outcome = { result: 'committed' | 'rolled_back'; slot: SlotName; version: string; reason: string; atMs: number };

export interface OtaState {
  format: 1;
  active: RunSlot;
  slots: Partial<Record<SlotName, SlotInfo>>;
  trial?: Trial;
  /** Anti-rollback floor: the newest version ever committed. */
  minVersion: string;
  /** Build ids installed here (replay protection), newest last, bounded. */
  seenBuildIds: string[];
  last?: Outcome;
}

export const MAX_SEEN_BUILDS = 64;

export function initialState(factoryVersion: string): OtaState {
  return { format: 1, active: 'factory', slots: {}, minVersion: factoryVersion, seenBuildIds: [] };
}

/** The slot an update writes: never the active one, never one on trial. */
export function inactiveSlot(s: OtaState): SlotName {
  if (s.trial) return s.trial.slot;
  return s.active === 'a' ? 'b' : 'a';
}

/** Before writing: the target slot is forgotten (its files are about to be replaced). */
export function beginWrite(s: OtaState, slot: SlotName): OtaState {
  const slots = { ...s.slots };
  delete slots[slot];
  const next: OtaState = { ...s, slots };
  if (next.trial?.slot === slot) delete next.trial;
  return next;
}

/** After the slot's files are complete and synced: the flip. The launcher tries it next start. */
export function flip(s: OtaState, slot: SlotName, info: { version: string; buildId: string }, tries: number, nowMs: number): OtaState {
  return {
    ...s,
    slots: { ...s.slots, [slot]: { version: info.version, buildId: info.buildId, installedAtMs: nowMs, status: 'installed' } },
    trial: { slot, triesLeft: Math.max(1, tries), from: s.active, flippedAtMs: nowMs },
    seenBuildIds: [...s.seenBuildIds.filter((b) => b !== info.buildId), info.buildId].slice(-MAX_SEEN_BUILDS),
  };
}

export interface LaunchChoice {
  slot: RunSlot;
  state: OtaState;
  /** Why this slot (for the journal). */
  note: string;
  /** A rollback the launcher did itself (boot counter exhausted). */
  rolledBack?: Outcome;
}

/**
 * What the launcher starts, and the state to write before starting it: the trial slot while it
 * has tries left (counting one down, as U-Boot's BOOT_x_LEFT), else the committed slot. A slot
 * whose files are not usable (`usable` false) is never started: the other good one or factory.
 */
export function chooseLaunch(s: OtaState, usable: (slot: SlotName) => boolean, nowMs: number): LaunchChoice {
  let state = s;
  let rolledBack: Outcome | undefined;
  const t = s.trial;
  if (t) {
    if (t.triesLeft > 0 && usable(t.slot)) {
      state = { ...s, trial: { ...t, triesLeft: t.triesLeft - 1 }, slots: { ...s.slots, [t.slot]: { ...s.slots[t.slot]!, status: 'trying' } } };
      return { slot: t.slot, state, note: `trying ${t.slot} (${s.slots[t.slot]?.version}), ${t.triesLeft - 1} tries left after this one` };
    }
    const reason = t.triesLeft > 0 ? `slot ${t.slot} files are missing or damaged` : `boot counter exhausted: ${s.slots[t.slot]?.version ?? '?'} never proved itself`;
    state = rollback(s, reason, nowMs);
    rolledBack = state.last;
  }
  let slot: RunSlot = state.active;
  let note = rolledBack ? `rolled back to ${slot}: ${rolledBack.reason}` : `committed slot ${slot}`;
  if (slot !== 'factory' && !usable(slot)) {
    const other: SlotName = slot === 'a' ? 'b' : 'a';
    const alt = state.slots[other]?.status === 'good' && usable(other) ? other : 'factory';
    note = `committed slot ${slot} is not usable: starting ${alt}`;
    state = { ...state, active: alt };
    slot = alt;
  }
  return { slot, state, note, ...(rolledBack ? { rolledBack } : {}) };
}

/** The trial failed (no proof in the window, crash loop, refused by the launcher): back to `active`. */
export function rollback(s: OtaState, reason: string, nowMs: number): OtaState {
  const t = s.trial;
  if (!t) return s;
  const info = s.slots[t.slot];
  const next: OtaState = { ...s, slots: { ...s.slots, ...(info ? { [t.slot]: { ...info, status: 'bad' as const } } : {}) }, last: { result: 'rolled_back', slot: t.slot, version: info?.version ?? '?', reason, atMs: nowMs } };
  delete next.trial;
  return next;
}

/** The trial slot proved itself: it becomes the committed slot and raises the floor. */
export function commit(s: OtaState, reason: string, nowMs: number, newer: (a: string, b: string) => boolean): OtaState {
  const t = s.trial;
  if (!t) return s;
  const info = s.slots[t.slot]!;
  const next: OtaState = {
    ...s,
    active: t.slot,
    slots: { ...s.slots, [t.slot]: { ...info, status: 'good' } },
    minVersion: newer(info.version, s.minVersion) ? info.version : s.minVersion,
    last: { result: 'committed', slot: t.slot, version: info.version, reason, atMs: nowMs },
  };
  delete next.trial;
  return next;
}

/** Checks a state read from disk (a hand-edited or foreign file must not steer the launcher). */
export function isOtaState(v: unknown): v is OtaState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const okSlot = (x: unknown) => x === 'a' || x === 'b';
  if (o.format !== 1 || !(okSlot(o.active) || o.active === 'factory') || typeof o.minVersion !== 'string' || !Array.isArray(o.seenBuildIds)) return false;
  if (typeof o.slots !== 'object' || o.slots === null) return false;
  if (o.trial !== undefined) {
    const t = o.trial as Record<string, unknown>;
    if (typeof t !== 'object' || t === null || !okSlot(t.slot) || typeof t.triesLeft !== 'number') return false;
  }
  return true;
}
