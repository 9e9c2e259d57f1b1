import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mayRetry } from '../../../src/tuning/recovery';

test('a lost step is retried only after the wait, only when the board is cooler by 3 °C, at most 3 times', () => {
  const d = { atMs: 0, boardC: 70, tries: 0 };
  assert.not.ok(mayRetry(d, 5 * 60_000, 60), 'too soon');
  assert.not.ok(mayRetry(d, 11 * 60_000, 68), 'not cool enough');
  assert.ok(mayRetry(d, 11 * 60_000, 67));
  assert.not.ok(mayRetry({ ...d, tries: 3 }, 11 * 60_000, 60), 'tries used up');
  assert.not.ok(mayRetry({ ...d, boardC: null }, 11 * 60_000, 60), 'no temperature, no retry');
});

test.run();
