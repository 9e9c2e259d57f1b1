import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import { createLogRoot, resolveLevel } from '../../../src/core/log';
import { secretRedactPaths } from '../../../src/config/secrets';
import { duplicateTopLevelKeys } from '../../helpers/jsonKeys';

function sink(): { dest: DestinationStream; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c));
      cb();
    },
  });
  return { dest: w as unknown as DestinationStream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

test('resolveLevel picks the longest matching prefix at a dot boundary', () => {
  const levels = { chips: 'debug', 'chips.bm1485': 'trace', stratum: 'warn' } as const;
  assert.is(resolveLevel('chips', 'info', levels), 'debug');
  assert.is(resolveLevel('chips.bm1489', 'info', levels), 'debug');
  assert.is(resolveLevel('chips.bm1485', 'info', levels), 'trace');
  assert.is(resolveLevel('chips.bm1485.chain0', 'info', levels), 'trace');
  assert.is(resolveLevel('chipset', 'info', levels), 'info');
  assert.is(resolveLevel('thermal', 'info', levels), 'info');
});

test('children carry their component and obey their resolved level', () => {
  const s = sink();
  const root = createLogRoot({ level: 'info', levels: { chips: 'debug' }, destination: s.dest });
  const chips = root.child('chips.bm1485', { chain: 1 });
  const pool = root.child('stratum', { pool: 'main' });
  chips.debug('chip debug');
  pool.debug('pool debug (hidden)');
  pool.info('pool info');
  const lines = s.lines();
  assert.equal(lines.map((l) => l.msg), ['chip debug', 'pool info']);
  assert.is(lines[0].component, 'chips.bm1485');
  assert.is(lines[0].chain, 1);
  assert.is(lines[1].pool, 'main');
  assert.type(lines[0].time, 'string');
});

test('setLevels re-levels every existing child (hot reload)', () => {
  const s = sink();
  const root = createLogRoot({ level: 'info', destination: s.dest });
  const a = root.child('stratum');
  const b = root.child('thermal');
  a.debug('before');
  root.setLevels('warn', { stratum: 'debug' });
  a.debug('after');
  b.info('thermal info hidden');
  b.warn('thermal warn');
  assert.equal(s.lines().map((l) => l.msg), ['after', 'thermal warn']);
  assert.is(a.level, 'debug');
  assert.is(root.levelFor('stratum.x'), 'debug');
});

test('sub-loggers a component makes with .child() follow setLevels too, unless given their own level', () => {
  const s = sink();
  const root = createLogRoot({ level: 'info', destination: s.dest });
  const pool = root.child('stratum').child({ pool: 'main' });
  const conn = pool.child({ conn: 2 });
  const renamed = root.child('stratum').child({ component: 'chips.bm1485' });
  const pinned = root.child('stratum').child({ pinned: true }, { level: 'error' });
  pool.debug('hidden');
  root.setLevels('info', { stratum: 'debug', chips: 'warn' });
  pool.debug('pool debug');
  conn.debug('conn debug');
  renamed.info('renamed info hidden');
  renamed.warn('renamed warn');
  pinned.warn('pinned warn hidden');
  const lines = s.lines();
  assert.equal(lines.map((l) => l.msg), ['pool debug', 'conn debug', 'renamed warn']);
  assert.is(lines[1].pool, 'main');
  assert.is(lines[1].conn, 2);
  assert.is(lines[1].component, 'stratum');
  assert.is(lines[2].component, 'chips.bm1485');
  assert.is(pinned.level, 'error');
});

test('secrets at the schema redact paths are written as ***', () => {
  const s = sink();
  const root = createLogRoot({ level: 'info', redactPaths: secretRedactPaths(), destination: s.dest });
  const log = root.child('app');
  log.info({ config: { pools: [{ name: 'a', password: 'PLANTED-1' }], api: { http: { token: 'PLANTED-2' } } } }, 'config loaded');
  log.info({ pools: [{ password: 'PLANTED-3' }], telemetry: { mqtt: { password: 'PLANTED-4' } } }, 'pools');
  log.info({ previous: { api: { cgminer: { token: 'PLANTED-5' } } } }, 'prev');
  assert.not.ok(/PLANTED/.test(s.text()), s.text());
  assert.is((s.lines()[0].config as { pools: Array<{ password: string }> }).pools[0].password, '***');
});

test('silent disables a component entirely', () => {
  const s = sink();
  const root = createLogRoot({ level: 'info', levels: { noisy: 'silent' }, destination: s.dest });
  root.child('noisy').error('x');
  assert.is(s.text(), '');
});

test('pretty mode builds a root without a transport and still resolves levels', () => {
  const root = createLogRoot({ level: 'warn', levels: { chips: 'debug' }, pretty: true });
  assert.is(root.child('chips.x').level, 'debug');
  assert.is(root.child('thermal').level, 'warn');
});

test('a sub-logger that binds a key again carries it once, with the newer value', () => {
  const s = sink();
  const root = createLogRoot({ level: 'info', destination: s.dest });
  const mining = root.child('mining');
  mining.child({ chain: 0 }).child({ chain: 1, part: 'uart' }).info('a');
  mining.child({ component: 'chips.bm1485' }).info('b');
  mining.child({ pool: 'main' }).info({ chips: 3 }, 'c');
  const raw = s.text().split('\n').filter(Boolean);
  assert.equal(raw.map(duplicateTopLevelKeys), [[], [], []]);
  const lines = s.lines();
  assert.is(lines[0].chain, 1);
  assert.is(lines[0].part, 'uart');
  assert.is(lines[0].component, 'mining');
  assert.is(lines[1].component, 'chips.bm1485');
  assert.is(lines[2].pool, 'main');
});

test.run();
