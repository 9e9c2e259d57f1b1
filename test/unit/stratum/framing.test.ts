import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineFramer } from '../../../src/stratum/v1/framing';
import { parseMessage } from '../../../src/stratum/v1/messages';
import { parsePoolUrl, backoffDelay } from '../../../src/stratum/v1/url';
import { ConfigError } from '../../../src/core/errors';

test('framer joins split lines, strips \\r, skips blank lines', () => {
  const f = new LineFramer();
  assert.equal(f.push('{"id":1,'), []);
  assert.equal(f.push('"result":true}\r\n\n{"id"'), [{ kind: 'line', line: '{"id":1,"result":true}' }]);
  assert.equal(f.push(':2}\n'), [{ kind: 'line', line: '{"id":2}' }]);
});

test('framer drops an overlong partial line once and resumes after its newline', () => {
  const f = new LineFramer(10);
  assert.equal(f.push('a'.repeat(11)), [{ kind: 'overflow', bytes: 11 }]);
  assert.equal(f.push('bbbb'), []);
  assert.equal(f.push('b\nok\n'), [{ kind: 'line', line: 'ok' }]);
});

test('parseMessage: the litecoinpool.org capture lines (stratum.md §1.7-B) parse as response and notifications', () => {
  const r = parseMessage('{"id":1,"error":null,"result":[[["mining.notify","16000a2a7fc09fff"],["mining.set_difficulty","16000a2a7fc09fff2"]],"16000a2a",4]}');
  assert.ok(r.ok && r.msg.kind === 'response' && r.msg.id === 1 && r.msg.error === null);
  const d = parseMessage('{"id":null,"method":"mining.set_difficulty","params":[65536]}');
  assert.ok(d.ok && d.msg.kind === 'request' && d.msg.method === 'mining.set_difficulty');
});

test('parseMessage: error arrays from §1.4 become {code, message}', () => {
  const r = parseMessage('{"id":4,"result":null,"error":[23,"low difficulty share of 1",null]}');
  assert.ok(r.ok && r.msg.kind === 'response');
  if (r.ok && r.msg.kind === 'response') assert.equal(r.msg.error, { code: 23, message: 'low difficulty share of 1' });
});

test('parseMessage rejects non-objects, bad ids, non-array params and id-less responses', () => {
  for (const l of ['[]', '42', 'null', '{"foo":1}', '{"id":{},"result":1}', '{"id":1,"method":"x","params":{}}', '{"id":null,"result":true}', '{"id":1,"method":7}', 'not json']) {
    const r = parseMessage(l);
    assert.not.ok(r.ok, l);
  }
});

test('pool URLs: tcp, ssl, IPv6; bad ones are ConfigErrors', () => {
  assert.equal(parsePoolUrl('stratum+tcp://pool.example:3333'), { host: 'pool.example', port: 3333, tls: false });
  assert.equal(parsePoolUrl('stratum+ssl://[::1]:443'), { host: '::1', port: 443, tls: true });
  for (const u of ['http://x:1', 'stratum+tcp://x', 'stratum+tcp://x:0', 'stratum+tcp://x:99999', 'stratum+tcp://a b:1']) {
    assert.throws(() => parsePoolUrl(u), (e: unknown) => e instanceof ConfigError, u);
  }
});

test('backoff doubles per attempt up to the cap, with jitter in [50%, 100%]', () => {
  assert.is(backoffDelay(0, 1000, 60_000, 1), 1000);
  assert.is(backoffDelay(0, 1000, 60_000, 0), 500);
  assert.is(backoffDelay(3, 1000, 60_000, 1), 8000);
  assert.is(backoffDelay(40, 1000, 60_000, 1), 60_000);
  assert.is(backoffDelay(40, 1000, 60_000, 0), 30_000);
});

test.run();
