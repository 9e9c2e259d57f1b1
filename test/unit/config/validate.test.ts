import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateConfigText, didYouMean, editDistance } from '../../../src/config/validate';
import { ConfigInvalidError, type ConfigIssue } from '../../../src/config/issues';
import { ConfigError } from '../../../src/core/errors';

function issues(text: string): ConfigIssue[] {
  try {
    validateConfigText(text, 'c.json');
  } catch (e) {
    assert.instance(e, ConfigInvalidError);
    assert.instance(e, ConfigError);
    assert.is((e as ConfigInvalidError).code, 'KBS_E_CONFIG_INVALID');
    return (e as ConfigInvalidError).issues;
  }
  throw new Error('expected the config to be rejected');
}

const POOL = '{"name":"main","url":"stratum+tcp://pool.example:3333","user":"w"}';

test('an unknown key is reported at its line and column with a did-you-mean hint', () => {
  const [i] = issues('{\n  "version": 1,\n  "thermal": {\n    "tragetC": 70\n  }\n}');
  assert.is(i.pointer, '/thermal/tragetC');
  assert.is(i.line, 4);
  assert.is(i.column, 5);
  assert.is(i.found, '"tragetC"');
  assert.ok(i.expected!.includes('targetC'));
  assert.is(i.hint, 'did you mean "targetC"?');
});

test('every error is reported, not just the first (allErrors)', () => {
  const list = issues('{"version":1,"device":{"id":"BAD ID"},"thermal":{"mode":"turbo","targetC":"hot"},"api":{"http":{"port":70000}},"x":1}');
  assert.equal(list.map((i) => i.pointer).sort(), ['/api/http/port', '/device/id', '/thermal/mode', '/thermal/targetC', '/x']);
  for (const i of list) {
    assert.type(i.line, 'number');
    assert.type(i.expected, 'string');
    assert.type(i.found, 'string');
  }
});

test('a wrong type says what was expected and what was found', () => {
  const [i] = issues('{"version":1,"mining":{"enabled":"yes"}}');
  assert.is(i.expected, 'boolean');
  assert.is(i.found, 'string "yes"');
  assert.is(i.hint, 'Hash when true; needs at least one pool.');
});

test('an out-of-range value names the limit', () => {
  const [i] = issues('{"version":1,"api":{"cgminer":{"port":0}}}');
  assert.is(i.message, 'value out of range');
  assert.is(i.expected, 'a number >= 1');
  assert.is(i.found, 'number 0');
});

test('a missing version and a wrong version are reported', () => {
  assert.is(issues('{}')[0].message, 'missing required key "version"');
  assert.is(issues('{"version":2}')[0].hint, 'this kabosu reads config version 1');
});

test('a pool url must be stratum+tcp or stratum+ssl', () => {
  assert.is(issues(`{"version":1,"pools":[{"name":"a","url":"http://x:1","user":"u"}]}`)[0].pointer, '/pools/0/url');
  validateConfigText(`{"version":1,"pools":[{"name":"a","url":"stratum+ssl://x.example:443","user":"u"}]}`, 'c');
});

test('thermal targetC must be below hotC, and hotC below dangerousC', () => {
  const [a] = issues('{"version":1,"thermal":{"targetC":86}}');
  assert.is(a.pointer, '/thermal/targetC');
  assert.is(a.line, 1);
  const [b] = issues('{"version":1,"thermal":{"hotC":96}}');
  assert.is(b.pointer, '/thermal/hotC');
});

test('a manual fan duty below the fans\' minDuty is refused (stopped fans keep the boards off)', () => {
  const [a] = issues('{"version":1,"thermal":{"mode":"manual","manualDuty":0}}');
  assert.is(a.pointer, '/thermal/manualDuty');
  assert.match(a.hint ?? '', /immersion/);
  validateConfigText('{"version":1,"thermal":{"mode":"manual","manualDuty":10}}', 'c');
  validateConfigText('{"version":1,"thermal":{"mode":"immersion","manualDuty":20,"fan":{"minDuty":0}}}', 'c');
});

test('mining enabled with no pool is rejected; with a pool it is accepted', () => {
  const [i] = issues('{"version":1,"mining":{"enabled":true}}');
  assert.is(i.pointer, '/pools');
  validateConfigText(`{"version":1,"mining":{"enabled":true},"pools":[${POOL}]}`, 'c');
});

test('two pools with the same name are rejected at the second', () => {
  const [i] = issues(`{"version":1,"pools":[${POOL},\n${POOL}]}`);
  assert.is(i.pointer, '/pools/1/name');
  assert.is(i.line, 2);
});

test('enabled listeners on the same port clash; a disabled one does not', () => {
  const [i] = issues('{"version":1,"api":{"http":{"port":4028}}}');
  assert.is(i.pointer, '/api/cgminer/port');
  assert.ok(i.message.includes('/api/http'));
  validateConfigText('{"version":1,"api":{"http":{"port":4028},"cgminer":{"enabled":false}}}', 'c');
  validateConfigText('{"version":1,"api":{"http":{"port":4028,"host":"127.0.0.1"},"cgminer":{"host":"10.0.0.2"}}}', 'c');
});

test('a syntax error has its line and column', () => {
  const list = issues('{\n  "version": 1,\n  "device": {"id": "a",}\n}');
  assert.is(list[0].line, 3);
  assert.ok(list[0].message.startsWith('not valid JSON'));
  assert.type(list[0].hint, 'string');
});

test('an empty file, an array and a bare word are each one clear problem', () => {
  assert.is(issues('')[0].message, 'the file is empty');
  assert.is(issues('[1]')[0].expected, 'object');
  assert.ok(issues('hello')[0].message.startsWith('not valid JSON'));
});

test('a secret value is never echoed in an error', () => {
  const text = '{"version":1,"pools":[{"name":"a","url":"stratum+tcp://h:1","user":"u","password":12345678}]}';
  const list = issues(text);
  assert.is(list[0].found, '(secret, not shown)');
  const broken = issues('{"version":1,"api":{"http":{"token":"s3cr3t-unclosed}}}');
  assert.not.ok(JSON.stringify(broken).includes('s3cr3t'));
  const many = Array.from({ length: 17 }, (_, i) => ({ name: `p${i}`, url: 'stratum+tcp://h:1', user: 'u', password: `PLANTED${i}` }));
  const tooMany = issues(JSON.stringify({ version: 1, pools: many }));
  assert.is(tooMany[0].found, 'an array of 17 items');
  assert.not.ok(JSON.stringify(tooMany).includes('PLANTED'));
});

test('a plaintext secret is accepted with a warning that says how to encrypt it', () => {
  const { warnings, config } = validateConfigText(`{"version":1,"pools":[{"name":"a","url":"stratum+tcp://h:1","user":"u","password":"pw"}]}`, 'c.json');
  assert.is(config.pools[0].password, 'pw');
  assert.is(warnings.length, 1);
  assert.is(warnings[0].code, 'KBS_W_001');
  assert.is(warnings[0].pointer, '/pools/0/password');
  assert.ok(warnings[0].hint!.includes('kabosu config set-secret pools/0/password'));
});

test('the error message lists every problem in file order', () => {
  try {
    validateConfigText('{"version":1,\n"zz":1,\n"device":{"id":"!"}}', 'c.json');
    assert.unreachable();
  } catch (e) {
    const msg = (e as Error).message;
    assert.ok(msg.indexOf('c.json:2:1') < msg.indexOf('c.json:3:'), msg);
  }
});

test('cross-field rules on sections that passed the schema are reported together with schema errors', () => {
  const list = issues(`{"version":1,"device":{"id":"BAD ID"},"thermal":{"targetC":90,"hotC":80,"dangerousC":95},"mining":{"enabled":true},"pools":[]}`);
  // targetC 90 breaks two rules: below hotC, and below the L3+ board's 85 C hard limit
  assert.equal(list.map((i) => i.pointer).sort(), ['/device/id', '/pools', '/thermal/targetC', '/thermal/targetC']);
  assert.ok(list.some((i) => /hard limit/.test(i.message)));
  assert.ok(list.every((i) => typeof i.line === 'number'), 'every issue is positioned');
});

test('a cross-field rule is skipped when its own section failed the schema (no guess from wrong types)', () => {
  const list = issues(`{"version":1,"thermal":{"targetC":"hot","hotC":80,"dangerousC":70},"api":{"http":{"enabled":true,"port":4028},"cgminer":{"enabled":true,"port":4028}}}`);
  assert.equal(list.map((i) => i.pointer).sort(), ['/api/cgminer/port', '/thermal/targetC']);
  assert.is(list.find((i) => i.pointer === '/thermal/targetC')!.message, 'wrong type');
  const rootWrong = issues('[1,2]');
  assert.is(rootWrong.length, 1, 'a root of the wrong type runs no rules');
});

test('didYouMean suggests close keys only', () => {
  assert.is(didYouMean('tagetC', ['targetC', 'hotC']), 'targetC');
  assert.is(didYouMean('PORT', ['port', 'host']), 'port');
  assert.is(didYouMean('banana', ['port', 'host']), undefined);
  assert.is(didYouMean('nmae', ['id', 'name']), 'name', 'a swap of two neighbours is one edit');
  assert.is(didYouMean('pirority', ['name', 'priority']), 'priority');
});

test('editDistance counts insert, delete, substitute and neighbour swap as one edit each', () => {
  assert.is(editDistance('', ''), 0);
  assert.is(editDistance('abc', ''), 3);
  assert.is(editDistance('', 'ab'), 2);
  assert.is(editDistance('port', 'prot'), 1);
  assert.is(editDistance('port', 'part'), 1);
  assert.is(editDistance('port', 'ports'), 1);
  assert.is(editDistance('kitten', 'sitting'), 3);
  assert.is(editDistance('ca', 'abc'), 3);
});

test.run();
