import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { duplicateTopLevelKeys } from '../../helpers/jsonKeys';

test('finds a top-level key given twice, not keys repeated inside nested values or strings', () => {
  assert.equal(duplicateTopLevelKeys('{"chain":0,"msg":"x","chain":0}'), ['chain']);
  assert.equal(duplicateTopLevelKeys('{"a":{"chain":1,"chain":2},"b":[{"a":1}],"s":"\\"a\\":1,\\"s\\""}'), []);
  assert.equal(duplicateTopLevelKeys('{"a\\"b":1,"a\\"b":2}'), ['a"b']);
});

test.run();
