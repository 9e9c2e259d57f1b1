/**
 * Loads and validates board definitions. Built-in boards (board/*.json) are bundled through
 * literal `require`s so the esbuild bundle carries them; a custom board is read from a path.
 * Schema errors and cross-field errors become one ConfigError listing every problem.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError } from '../core/errors';
import { boardSchema } from './boardSchema';
import type { BoardDefinition } from './boardSchema';

const BUILTIN: Record<string, () => unknown> = {
  l3plus: () => require('../../board/l3plus.json'),
  l7: () => require('../../board/l7.json'),
};

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  if (!validator) validator = new Ajv({ allErrors: true, strict: true }).compile(boardSchema);
  return validator;
}

/** The ids of the boards shipped with kabosu. */
export function listBoards(): string[] {
  return Object.keys(BUILTIN);
}

/** A built-in board by id, validated. Throws ConfigError (KBS_E_BOARD_UNKNOWN) for an unknown id. */
export function loadBoard(id: string): BoardDefinition {
  const load = Object.prototype.hasOwnProperty.call(BUILTIN, id) ? BUILTIN[id] : undefined;
  if (!load) {
    throw new ConfigError('KBS_E_BOARD_UNKNOWN', `unknown board '${id}'`, {
      hint: `known boards: ${listBoards().join(', ')}`,
      context: { board: id },
    });
  }
  // structuredClone: callers may not mutate the cached module object.
  return validateBoard(structuredClone(load()), `board/${id}.json`);
}

/** A board definition from a JSON file (a custom board). */
export function loadBoardFile(path: string): BoardDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('KBS_E_BOARD_READ', `cannot read board file ${path}`, { cause: e, context: { configPath: path } });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('KBS_E_BOARD_PARSE', `board file ${path} is not valid JSON: ${(e as Error).message}`, {
      cause: e,
      context: { configPath: path },
    });
  }
  return validateBoard(data, path);
}

/** Validates unknown data as a board definition: schema first, then the cross-field rules. */
export function validateBoard(data: unknown, source = '<board>'): BoardDefinition {
  const v = validate();
  if (!v(data)) {
    const problems = (v.errors ?? []).map(formatAjvError);
    throw new ConfigError('KBS_E_BOARD_INVALID', `${source}: ${problems.join('; ')}`, {
      hint: 'compare with board/l3plus.json and src/config/boardSchema.ts',
      context: { configPath: source, problems },
    });
  }
  const board = data as BoardDefinition;
  const problems = crossFieldProblems(board);
  if (problems.length > 0) {
    throw new ConfigError('KBS_E_BOARD_INVALID', `${source}: ${problems.join('; ')}`, {
      hint: 'each per-chain list needs one entry per chain; limits must be ordered',
      context: { configPath: source, problems },
    });
  }
  return board;
}

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown key '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
  }
  return `${where}: ${e.message ?? e.keyword}`;
}

/** Rules JSON Schema cannot state (conventions 2.5.4): plain checks after the schema. */
export function crossFieldProblems(b: BoardDefinition): string[] {
  const out: string[] = [];
  const hb = b.hashBoard;
  const n = hb.chains;
  const perChain: Array<[string, unknown[]]> = [
    ['/controller/uarts', b.controller.uarts],
    ['/controller/gpio/chainReset', b.controller.gpio.chainReset],
    ['/controller/gpio/chainPresent', b.controller.gpio.chainPresent],
    ['/hashBoard/regulator/addresses', hb.regulator.addresses],
  ];
  if (hb.eeprom) perChain.push(['/hashBoard/eeprom/addresses', hb.eeprom.addresses]);
  for (const [path, list] of perChain) {
    if (list.length !== n) out.push(`${path}: expected ${n} entries (one per chain), found ${list.length}`);
  }
  // Every `modelled` pointer names a fact the definition has.
  for (const ptr of Object.keys(b.modelled ?? {})) {
    let at: unknown = b;
    for (const k of ptr.split('/').slice(1)) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[k] : undefined;
    if (at === undefined) out.push(`/modelled: ${ptr} names nothing in this definition`);
  }
  const t = hb.thermal;
  if (!(t.targetC < t.hotC && t.hotC < t.dangerousC)) out.push('/hashBoard/thermal: targetC < hotC < dangerousC must hold');
  const f = hb.freqMHz;
  if (!(f.min <= f.stock && f.stock <= f.max)) out.push('/hashBoard/freqMHz: min <= stock <= max must hold');
  const v = hb.voltage;
  if (!(v.minV <= v.stockV && v.stockV <= v.maxV)) out.push('/hashBoard/voltage: minV <= stockV <= maxV must hold');
  const buses = b.controller.i2cBuses.length;
  const busRefs: Array<[string, number]> = [['/hashBoard/regulator/bus', hb.regulator.bus]];
  if (hb.eeprom) busRefs.push(['/hashBoard/eeprom/bus', hb.eeprom.bus]);
  if (b.psu.telemetry) busRefs.push(['/psu/telemetry/bus', b.psu.telemetry.bus]);
  for (const [path, bus] of busRefs) if (bus >= buses) out.push(`${path}: bus ${bus} does not exist (${buses} defined)`);
  const used = new Map<string, string>();
  const claim = (bus: number, addr: number, what: string): void => {
    const key = `${bus}:${addr}`;
    const prev = used.get(key);
    if (prev) out.push(`I2C address 0x${addr.toString(16)} on bus ${bus} used by both ${prev} and ${what}`);
    else used.set(key, what);
  };
  hb.regulator.addresses.forEach((a) => claim(hb.regulator.bus, a, 'regulator'));
  hb.eeprom?.addresses.forEach((a) => claim(hb.eeprom!.bus, a, 'eeprom'));
  if (b.psu.telemetry) claim(b.psu.telemetry.bus, b.psu.telemetry.address, 'psu telemetry');
  const regV = (code: number): number => hb.regulator.codeOffsetV + hb.regulator.codeSlopeV * code;
  const stockCodeV = regV(hb.regulator.stockCode);
  if (Math.abs(stockCodeV - v.stockV) > 0.05) {
    out.push(`/hashBoard/regulator/stockCode: gives ${stockCodeV.toFixed(3)} V, but voltage.stockV is ${v.stockV} V`);
  }
  const [lo, hi] = b.sim.weakHeadroom;
  if (lo !== undefined && hi !== undefined && lo > hi) out.push('/sim/weakHeadroom: [low, high] must be ordered');
  if (b.sim.weakChipsPerChain > hb.chipsPerChain) out.push('/sim/weakChipsPerChain: more weak chips than chips');
  return out;
}
