import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { listBoards, loadBoard, loadBoardFile, validateBoard } from '../../../src/config/boardLoader';
import { ConfigError } from '../../../src/core/errors';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.code;
    throw e;
  }
  return 'no error';
}

test('every shipped board validates', () => {
  for (const id of listBoards()) assert.is(loadBoard(id).id, id);
});

test('l3plus stock figures give the published hashrate (504 MH/s)', () => {
  const b = loadBoard('l3plus').hashBoard;
  const hps = b.chains * b.chipsPerChain * b.coresPerChip * b.freqMHz.stock * 1e6 * b.hashesPerCoreCycle;
  assert.ok(Math.abs(hps - 504e6) / 504e6 < 0.01, `got ${hps}`);
  assert.is(b.chains, 4);
  assert.is(b.chipsPerChain, 72);
  assert.is(b.chipFamily, 'bm1485');
});

test('l7 stock figures give the published hashrate (9.5 GH/s)', () => {
  const b = loadBoard('l7').hashBoard;
  const hps = b.chains * b.chipsPerChain * b.coresPerChip * b.freqMHz.stock * 1e6 * b.hashesPerCoreCycle;
  assert.ok(Math.abs(hps - 9.5e9) / 9.5e9 < 0.01, `got ${hps}`);
  assert.is(b.chipFamily, 'bm1489');
});

test('an unknown board id is a ConfigError naming the known boards', () => {
  try {
    loadBoard('s9');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.is((e as ConfigError).code, 'KBS_E_BOARD_UNKNOWN');
    assert.match((e as ConfigError).hint ?? '', 'l3plus');
  }
});

test('prototype keys are not board ids', () => {
  assert.is(codeOf(() => loadBoard('__proto__')), 'KBS_E_BOARD_UNKNOWN');
  assert.is(codeOf(() => loadBoard('constructor')), 'KBS_E_BOARD_UNKNOWN');
});

test('loaded boards are copies: mutating one does not change the next load', () => {
  const a = loadBoard('l3plus');
  a.hashBoard.chains = 99;
  assert.is(loadBoard('l3plus').hashBoard.chains, 4);
});

test('unknown keys and wrong types are reported with their JSON pointer', () => {
  const b = loadBoard('l3plus') as unknown as Record<string, unknown>;
  (b.hashBoard as Record<string, unknown>).chipsPerChain = 'many';
  (b as Record<string, unknown>).extra = 1;
  try {
    validateBoard(b, 'x.json');
    assert.unreachable();
  } catch (e) {
    const msg = (e as Error).message;
    assert.match(msg, '/hashBoard/chipsPerChain');
    assert.match(msg, "unknown key 'extra'");
  }
});

test('cross-field rules: per-chain lists, ordered limits, stock code voltage, address clashes', () => {
  const b = loadBoard('l3plus');
  b.controller.uarts.pop();
  b.hashBoard.thermal.hotC = 90;
  b.hashBoard.regulator.stockCode = 10;
  b.psu.telemetry = { kind: 'pmbus', bus: 0, address: 0x50, stock: false };
  try {
    validateBoard(b);
    assert.unreachable();
  } catch (e) {
    const msg = (e as Error).message;
    assert.match(msg, '/controller/uarts: expected 4 entries');
    assert.match(msg, 'targetC < hotC < dangerousC');
    assert.match(msg, '/hashBoard/regulator/stockCode');
    assert.match(msg, 'used by both regulator and psu telemetry');
  }
});

test('modelled facts: each pointer names a field of the definition; the L7 marks its unknowns, the L3+ has none', () => {
  const l7 = loadBoard('l7');
  for (const k of ['/controller/uarts', '/controller/gpio', '/controller/fans', '/hashBoard/chains']) assert.ok(l7.modelled?.[k], `l7 marks ${k} modelled`);
  assert.is(loadBoard('l3plus').modelled, undefined);
  const b = loadBoard('l7');
  b.modelled = { ...b.modelled, '/controller/nosuch': 'x' };
  try {
    validateBoard(b);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, '/modelled: /controller/nosuch names nothing');
  }
});

test('the L3+ definition names current-kernel UARTs (8250_omap /dev/ttyS<N>) and the stock tach interrupt lines', () => {
  const b = loadBoard('l3plus');
  // chips.md §1: stock kernel /dev/ttyO1,2,4,5; mainline 8250_omap names the same ports ttyS<N> (overlays/README.md).
  assert.equal(b.controller.uarts, ['/dev/ttyS1', '/dev/ttyS2', '/dev/ttyS4', '/dev/ttyS5']);
  assert.equal(b.controller.fans.map((f) => [f.tachGpio, f.tachIrq]), [[112, 256], [110, 254]]);
});

test('board files: unreadable, not JSON, valid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-board-'));
  assert.is(codeOf(() => loadBoardFile(join(dir, 'missing.json'))), 'KBS_E_BOARD_READ');
  writeFileSync(join(dir, 'bad.json'), '{ "id": ');
  assert.is(codeOf(() => loadBoardFile(join(dir, 'bad.json'))), 'KBS_E_BOARD_PARSE');
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ ...loadBoard('l3plus'), id: 'custom' }));
  assert.is(loadBoardFile(join(dir, 'ok.json')).id, 'custom');
});

test('fuzz: arbitrary JSON never crashes validation, it only throws ConfigError', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
  const base = loadBoard('l3plus');
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.constant(base).chain(() => mutated(base))), (v) => {
      try {
        validateBoard(v);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
      }
    }),
    { seed, numRuns: 300 },
  );
});

/** The real board with one leaf replaced by random JSON. */
function mutated(base: object): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (o: unknown, p: string[]): void => {
    if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, [...p, k]);
    else paths.push(p);
  };
  walk(base, []);
  return fc.tuple(fc.constantFrom(...paths), fc.jsonValue()).map(([p, v]) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    let cur = copy;
    for (const k of p.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
    cur[p[p.length - 1]!] = v;
    return copy;
  });
}

test.run();
