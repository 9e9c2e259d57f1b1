/**
 * Tuning profiles: the tuned result per board, keyed by the board's EEPROM serial (or its slot
 * when the board has no EEPROM, as on the L3+), with the conditions it was tuned in. On restart
 * the tuner starts each board from its profile and re-validates it (autotuner.ts 'validate');
 * a board whose key has no profile (swapped in) is tuned from scratch. `parseProfileFile`
 * validates untrusted JSON into typed profiles (typed error, never a crash); the store writes
 * atomically through src/store (checksummed, with a .bak copy).
 */
import { KabosuError } from '../core/errors';
import { readJson, writeJson } from '../store';
import type { Autotuner, BoardStart } from './autotuner';
import { floorIndex } from './ladder';
import type { Characterisation, PowerModel } from './model';
import type { MinerSpec, TuningTarget } from './types';

export const PROFILE_VERSION = 1;

export interface BoardProfile {
  key: string;
  serial: string | null;
  slot: number;
  voltageV: number;
  freqMHz: number[];
  dead: boolean[];
  chars: Characterisation[];
  conditions: { ambientC: number | null; boardC: number | null; target: TuningTarget; savedAtMs: number };
}

export interface ProfileFile {
  version: number;
  /** Board model the profiles belong to (board definition id). */
  model: string;
  power: PowerModel | null;
  boards: BoardProfile[];
}

export class ProfileError extends KabosuError {}

export function profileKey(serial: string | null, slot: number): string {
  return serial ? `serial:${serial}` : `slot:${slot}`;
}

function fail(msg: string): never {
  throw new ProfileError('KBS_E_TUNING_PROFILE', `tuning profile: ${msg}`, { hint: 'delete the profile file to re-tune from scratch' });
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown, what: string, lo = -Infinity, hi = Infinity): number => {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || x > hi) fail(`${what} must be a number in [${lo}, ${hi}]`);
  return x;
};
const numOrNull = (x: unknown, what: string): number | null => (x === null ? null : num(x, what));
const numArray = (x: unknown, what: string, max = 4096): number[] => {
  if (!Array.isArray(x) || x.length > max) fail(`${what} must be an array of at most ${max} numbers`);
  return x.map((v, i) => num(v, `${what}[${i}]`, 0, 1e5));
};

export function parseTarget(x: unknown): TuningTarget {
  if (!isObj(x)) fail('target must be an object');
  if (x.kind === 'efficiency') return { kind: 'efficiency', minHashrateHps: num(x.minHashrateHps, 'target.minHashrateHps', 0) };
  if (x.kind === 'power') return { kind: 'power', maxPowerW: num(x.maxPowerW, 'target.maxPowerW', 1) };
  if (x.kind === 'hashrate') return { kind: 'hashrate', hashrateHps: x.hashrateHps === null ? null : num(x.hashrateHps, 'target.hashrateHps', 0) };
  // Never String(x): a hostile object (toString: null) would throw a TypeError here.
  return fail(`unknown target kind ${typeof x.kind === 'string' ? JSON.stringify(x.kind).slice(0, 40) : `of type ${x.kind === null ? 'null' : typeof x.kind}`}`);
}

function parseBoard(x: unknown, i: number): BoardProfile {
  if (!isObj(x)) fail(`boards[${i}] must be an object`);
  const freqMHz = numArray(x.freqMHz, `boards[${i}].freqMHz`);
  if (!Array.isArray(x.dead) || x.dead.length !== freqMHz.length || x.dead.some((d) => typeof d !== 'boolean')) fail(`boards[${i}].dead must be booleans, one per chip`);
  if (!Array.isArray(x.chars) || x.chars.length > 8) fail(`boards[${i}].chars must be an array (at most 8)`);
  const chars = x.chars.map((c, k) => {
    if (!isObj(c)) fail(`boards[${i}].chars[${k}] must be an object`);
    const f = numArray(c.freqMHz, `boards[${i}].chars[${k}].freqMHz`);
    if (f.length !== freqMHz.length) fail(`boards[${i}].chars[${k}] has ${f.length} chips, the board ${freqMHz.length}`);
    return { voltageV: num(c.voltageV, `boards[${i}].chars[${k}].voltageV`, 0, 100), freqMHz: f };
  });
  if (typeof x.key !== 'string' || x.key.length > 200) fail(`boards[${i}].key must be a string`);
  if (x.serial !== null && (typeof x.serial !== 'string' || x.serial.length > 100)) fail(`boards[${i}].serial must be a string or null`);
  const cond = x.conditions;
  if (!isObj(cond)) fail(`boards[${i}].conditions must be an object`);
  return {
    key: x.key,
    serial: x.serial as string | null,
    slot: num(x.slot, `boards[${i}].slot`, 0, 64),
    voltageV: num(x.voltageV, `boards[${i}].voltageV`, 0, 100),
    freqMHz,
    dead: x.dead as boolean[],
    chars,
    conditions: {
      ambientC: numOrNull(cond.ambientC, 'conditions.ambientC'),
      boardC: numOrNull(cond.boardC, 'conditions.boardC'),
      target: parseTarget(cond.target),
      savedAtMs: num(cond.savedAtMs, 'conditions.savedAtMs', 0),
    },
  };
}

/** Validates untrusted JSON into a profile file; throws ProfileError (KBS_E_TUNING_PROFILE). */
export function parseProfileFile(x: unknown): ProfileFile {
  if (!isObj(x)) fail('not an object');
  if (x.version !== PROFILE_VERSION) fail(`version ${JSON.stringify(x.version)?.slice(0, 20)} is not ${PROFILE_VERSION}`);
  if (typeof x.model !== 'string' || x.model.length > 64) fail('model must be a string');
  let power: PowerModel | null = null;
  if (x.power !== null) {
    if (!isObj(x.power)) fail('power must be an object or null');
    power = { a: num(x.power.a, 'power.a', 0), d: num(x.power.d, 'power.d') };
  }
  if (!Array.isArray(x.boards) || x.boards.length > 64) fail('boards must be an array (at most 64)');
  return { version: PROFILE_VERSION, model: x.model, power, boards: x.boards.map(parseBoard) };
}

/** The profile file for what the tuner holds now. */
export function profilesFromTuner(t: Autotuner, o: { model: string; serials: ReadonlyArray<string | null>; ambientC: number | null; boardC: ReadonlyArray<number | null>; nowMs: number }): ProfileFile {
  const s = t.settings();
  return {
    version: PROFILE_VERSION,
    model: o.model,
    power: t.powerModel,
    boards: t.boards.map((b, i) => ({
      key: profileKey(o.serials[i] ?? null, i),
      serial: o.serials[i] ?? null,
      slot: i,
      voltageV: s.voltageV[i]!,
      // The tuned caps, not what shedding holds at this moment.
      freqMHz: b.cap.map((x) => t.spec.ladderMHz[x]!),
      dead: [...b.dead],
      chars: b.chars.map((c) => ({ voltageV: c.voltageV, freqMHz: [...c.freqMHz] })),
      conditions: { ambientC: o.ambientC, boardC: o.boardC[i] ?? null, target: t.currentTarget, savedAtMs: o.nowMs },
    })),
  };
}

/**
 * Per board slot, where to start: the profile whose key matches the board now in the slot
 * (serial, or slot when there is none) and fits the spec, else null (tune from scratch).
 */
export function startsFromProfiles(f: ProfileFile | null, spec: MinerSpec, model: string, serials: ReadonlyArray<string | null>): Array<BoardStart | null> {
  return Array.from({ length: spec.boards }, (_, slot) => {
    if (!f || f.model !== model) return null;
    const key = profileKey(serials[slot] ?? null, slot);
    const p = f.boards.find((b) => b.key === key);
    if (!p || p.freqMHz.length !== spec.chipsPerBoard) return null;
    if (p.voltageV < spec.voltage.minV - 1e-6 || p.voltageV > spec.voltage.maxV + 1e-6) return null;
    return {
      voltageV: p.voltageV,
      index: p.freqMHz.map((m) => floorIndex(spec.ladderMHz, m)),
      chars: p.chars,
      dead: p.dead,
    };
  });
}

export class ProfileStore {
  constructor(readonly path: string) {}

  /** The stored profiles, null when none; a corrupt file is reported as ProfileError. */
  load(): ProfileFile | null {
    const r = readJson(this.path);
    if (!r) return null;
    return parseProfileFile(r.data);
  }

  save(f: ProfileFile): void {
    writeJson(this.path, f);
  }
}
