import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRequest, isComplete } from '../../../src/api/cgminer/request';
import { parseAllow, mayWrite } from '../../../src/api/cgminer/access';
import { answer, toText, splitEscaped, type Caller } from '../../../src/api/cgminer/commands';
import { chainAcs, suffixString, type Personality } from '../../../src/api/cgminer/render';
import { KabosuError } from '../../../src/core/errors';
import { l3Status, controlFor, chain } from './cgminerFixture';

const ALL = ['version', 'config', 'summary', 'pools', 'devs', 'edevs', 'devdetails', 'stats', 'estats', 'coin', 'lcd', 'asccount', 'pgacount', 'check', 'privileged', 'switchpool', 'enablepool', 'disablepool', 'addpool', 'removepool', 'poolpriority', 'restart', 'quit', 'nonsense'];
const FORBIDDEN = ['BOSMINER', 'BOSER', 'BTMINER', 'BITMICRO', 'LUXMINER', 'HIVEON', 'KAONSU', 'RWGLR', 'INTCHAINS_QOMO', 'KDAMINER', 'BFGMINER', 'INNOMINER', 'AVALON', 'GCMINER', 'FLUXOS', 'VNISH'];
const W: Caller = { mayWrite: true, tokenOk: true };
const R: Caller = { mayWrite: false, tokenOk: true };

async function ask(cmd: string, p: Personality = 'antminer-l3plus', caller = W, param?: string, st = l3Status({ thermal: true, power: true })) {
  const { control, calls } = controlFor(st);
  const req = JSON.stringify(param === undefined ? { command: cmd } : { command: cmd, parameter: param });
  const r = await answer(parseRequest(Buffer.from(req)), caller, { control, personality: p, nowS: 1700000000 });
  return { r: r as Record<string, any>, calls };
}

test('parser: JSON and text forms, multi-command, trailing NUL and newline', () => {
  const j = parseRequest(Buffer.from('{"command":"summary+devs+summary","parameter":"x"}\0'));
  assert.equal(j.ok && j.request, { form: 'json', commands: ['summary', 'devs'], parameter: 'x', token: null });
  const t = parseRequest(Buffer.from('switchpool|1\n'));
  assert.equal(t.ok && t.request, { form: 'text', commands: ['switchpool'], parameter: '1', token: null });
  const bad = parseRequest(Buffer.from('{"command":'));
  assert.equal(bad.ok ? null : [bad.form, bad.code], ['json', 23]);
  const missing = parseRequest(Buffer.from('{"parameter":1}'));
  assert.equal(missing.ok ? null : missing.code, 24);
  const weird = parseRequest(Buffer.from('sum mary'));
  assert.equal(weird.ok ? null : weird.code, 14);
  assert.is(isComplete(Buffer.from('{"command":"su')), false);
  assert.is(isComplete(Buffer.from('{"command":"summary"}')), true);
});

test('allow-list: addresses, CIDR v4/v6, W:/R: prefixes, 0/0, mapped IPv4, first match wins', () => {
  const rules = ['R:10.0.0.5', '10.0.0.0/8', '192.168.1.7', 'fd00::/8'].map(parseAllow);
  assert.is(mayWrite(rules, '10.0.0.5'), false);
  assert.is(mayWrite(rules, '10.9.8.7'), true);
  assert.is(mayWrite(rules, '::ffff:10.1.1.1'), true);
  assert.is(mayWrite(rules, '192.168.1.7'), true);
  assert.is(mayWrite(rules, '192.168.1.8'), false);
  assert.is(mayWrite(rules, 'fd12::1'), true);
  assert.is(mayWrite(rules, 'fe80::1'), false);
  assert.is(mayWrite(rules, 'garbage'), false);
  assert.is(mayWrite([parseAllow('0/0')], '8.8.8.8'), true);
  assert.is(mayWrite([parseAllow('192.168.0.0/23')], '192.168.1.255'), true);
  assert.is(mayWrite([parseAllow('192.168.0.0/23')], '192.168.2.0'), false);
  assert.is(mayWrite([], '127.0.0.1'), false);
  for (const bad of ['10.0.0.0/33', 'host.example', '1.2.3.4/x', '']) {
    try { parseAllow(bad); assert.unreachable(bad); } catch (e) { assert.instance(e, KabosuError); assert.is((e as KabosuError).code, 'KBS_E_CGMINER_BAD_ALLOW'); }
  }
});

test('envelope: STATUS record, section, id; codes per command', async () => {
  const { r } = await ask('summary');
  assert.equal(Object.keys(r), ['STATUS', 'SUMMARY', 'id']);
  assert.equal(Object.keys(r.STATUS[0]), ['STATUS', 'When', 'Code', 'Msg', 'Description']);
  assert.equal([r.STATUS[0].STATUS, r.STATUS[0].Code, r.STATUS[0].When], ['S', 11, 1700000000]);
  const codes: Record<string, number> = { version: 22, config: 33, pools: 7, devs: 9, devdetails: 69, stats: 70, coin: 78, lcd: 125 };
  for (const [cmd, code] of Object.entries(codes)) assert.is((await ask(cmd)).r.STATUS[0].Code, code, cmd);
  assert.equal((await ask('nonsense')).r.STATUS[0].Code, 14);
  assert.equal((await ask('quit')).r, { STATUS: 'BYE', id: 1 });
  const rs = await ask('restart');
  assert.equal([rs.r, rs.calls], [{ STATUS: 'RESTART', id: 1 }, ['restart']]);
});

test('multi-command: per-command arrays of complete replies; non-joinable gets its own E', async () => {
  const { r } = await ask('summary+devs+quit');
  assert.equal(Object.keys(r), ['summary', 'devs', 'quit', 'id']);
  assert.ok(Array.isArray(r.summary) && r.summary[0].SUMMARY.length === 1 && r.summary[0].id === 1);
  assert.is(r.devs[0].DEVS.length, 4);
  assert.is(r.quit[0].STATUS[0].STATUS, 'E');
});

test('privileged: denied without allow-list or token (code 45); pool commands map ids to names', async () => {
  for (const cmd of ['switchpool', 'addpool', 'removepool', 'restart', 'quit', 'privileged']) {
    const { r, calls } = await ask(cmd, 'antminer-l3plus', R, '1');
    assert.equal([r.STATUS[0].STATUS, r.STATUS[0].Code, calls], ['E', 45, []], cmd);
    assert.match(r.STATUS[0].Msg, `Access denied to '${cmd}' command`);
  }
  const tok = await ask('switchpool', 'kabosu', { mayWrite: true, tokenOk: false }, '1');
  assert.is(tok.r.STATUS[0].Code, 45);
  assert.equal((await ask('privileged')).r.STATUS[0].Code, 46);
  const sw = await ask('switchpool', 'antminer-l3plus', W, '1');
  assert.equal([sw.r.STATUS[0].Code, sw.r.STATUS[0].Msg, sw.calls], [27, "Switching to pool 1:'stratum+tcp://us.litecoinpool.org:3333'", ['switch backup']]);
  assert.equal((await ask('enablepool', undefined, W, '0')).calls, ['enable main']);
  assert.equal((await ask('disablepool', undefined, W, '1')).calls, ['disable backup']);
  assert.equal((await ask('removepool', undefined, W, '1')).calls, ['remove backup']);
  assert.equal((await ask('poolpriority', undefined, W, '1,0')).calls, ['priority backup,main']);
  const add = await ask('addpool', undefined, W, 'stratum+tcp://a\\,b:1,user.1,pw');
  assert.equal([add.r.STATUS[0].Code, add.calls], [55, ['add stratum+tcp://a,b:1 user.1 pw']]);
  assert.is((await ask('switchpool', undefined, W, '9')).r.STATUS[0].Code, 26);
  assert.is((await ask('switchpool', undefined, W)).r.STATUS[0].Code, 25);
  assert.is((await ask('addpool', undefined, W, 'onlyurl')).r.STATUS[0].Code, 52);
  assert.equal(splitEscaped('a\\,b,c'), ['a,b', 'c']);
});

test('check: Exists and Access', async () => {
  assert.equal((await ask('check', undefined, R, 'summary')).r.CHECK, [{ Exists: 'Y', Access: 'Y' }]);
  assert.equal((await ask('check', undefined, R, 'switchpool')).r.CHECK, [{ Exists: 'Y', Access: 'N' }]);
  assert.equal((await ask('check', undefined, W, 'switchpool')).r.CHECK, [{ Exists: 'Y', Access: 'Y' }]);
  assert.equal((await ask('check', undefined, W, 'bogus')).r.CHECK, [{ Exists: 'N', Access: 'N' }]);
});

test('command failures from MinerControl become E replies, not crashes', async () => {
  const st = l3Status();
  const { control } = controlFor(st);
  const r = (await answer(parseRequest(Buffer.from('{"command":"enablepool","parameter":"0"}')), W, { control: { ...control, status: () => st, chips: () => [], enablePool: () => Promise.reject(new KabosuError('KBS_E_POOLS_X', 'nope')) } as never, personality: 'antminer-l3plus', nowS: 1 })) as any;
  assert.equal([r.STATUS[0].STATUS, r.STATUS[0].Msg], ['E', 'nope']);
  const na = (await answer(parseRequest(Buffer.from('{"command":"pause"}')), W, { control, personality: 'kabosu', nowS: 1 })) as any;
  assert.equal([na.STATUS[0].STATUS, na.STATUS[0].Code], ['E', 14]);
});

test('no pyasic classification string of another firmware in any reply, both personalities, JSON and text', async () => {
  for (const p of ['antminer-l3plus', 'kabosu'] as const) {
    for (const cmd of [...ALL, ALL.join('+')]) {
      const { r } = await ask(cmd, p, W, '0');
      const texts = [JSON.stringify(r).toUpperCase(), toText(r).toUpperCase()];
      for (const t of texts) for (const f of FORBIDDEN) assert.not.ok(t.includes(f), `${p} ${cmd} contains ${f}`);
    }
  }
});

test('text form: STATUS record then sections, | terminated, escapes', async () => {
  const { r } = await ask('version');
  const t = toText(r);
  assert.match(t, /^STATUS=S,When=1700000000,Code=22,Msg=CGMiner versions,Description=kabosu 0\.1\.0\|VERSION,CGMiner=kabosu 0\.1\.0,API=3\.1,/);
  assert.ok(t.endsWith('|'));
  assert.is(toText({ STATUS: 'BYE', id: 1 }), 'STATUS=BYE|');
  assert.match(toText({ STATUS: [{ Msg: 'a|b,c=d\\' }], id: 1 }), 'Msg=a\\|b\\,c\\=d\\\\|');
  const multi = toText((await ask('summary+pools')).r);
  assert.match(multi, /^CMD=summary\|STATUS=S,.*\|CMD=pools\|STATUS=S,/);
});

test('chain_acs: groups of 8 with a leading space, x for silent and missing chips, empty for no board', () => {
  assert.is(chainAcs(chain(0, 1, 72)), ' oooooooo'.repeat(9));
  const a = chainAcs(chain(0, 1, 70, [5]));
  assert.is(a.replace(/ /g, '').length, 72);
  assert.is(a.slice(0, 9), ' oooooxoo');
  assert.ok(a.endsWith('oooooxx'));
  assert.is(chainAcs(chain(0, 1, 0)), '');
});

test('pools Diff uses cgminer suffix_string: 65536 -> "65.5K" as the stock L3+ capture', () => {
  assert.equal([65536, 4096, 1000, 999, 512, 1, 0.5, 1 / 65536, 1.5e6, 2.6e9].map(suffixString), ['65.5K', '4.1K', '1K', '999', '512', '1', '0.5', '0.0000153', '1.5M', '2.6G']);
});

test.run();
