import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseTicketDifficulty, type TicketInputs } from '../../../src/hashboard/ticketMask';

// One L3+ chain at stock: 72 chips x 1.751 MH/s = 126.1 MH/s (chips.md §13).
const base: TicketInputs = {
  expectedHps: 126.1e6,
  baud: 115200,
  replyBytes: 7,
  cpuNoncesPerSec: 500,
  targetNoncesPerSec: 75,
  shareDifficulty: 65536,
  maxTicketDifficulty: 256,
};

test('an L3+ chain at stock with a 75/s statistics target gets ticket difficulty 32', () => {
  const c = chooseTicketDifficulty(base);
  assert.is(c.difficulty, 32);
  assert.is(c.limitedBy, 'statistics');
  assert.ok(c.expectedNoncesPerSec <= 75 && c.expectedNoncesPerSec > 37.5);
  assert.is(c.poolDifficultyTooLow, false);
});

test('a slow line limits the nonce rate: the UART budget wins', () => {
  const c = chooseTicketDifficulty({ ...base, baud: 9600, targetNoncesPerSec: 1000 });
  // 9600 baud = 960 B/s; a quarter for 7-byte replies = 34.3 nonces/s.
  assert.is(c.limitedBy, 'uart');
  assert.ok(c.expectedNoncesPerSec <= 34.3);
  assert.is(c.difficulty, 64);
});

test('the ticket never exceeds the pool share difficulty, and says when the pool should raise it', () => {
  const c = chooseTicketDifficulty({ ...base, shareDifficulty: 6 });
  assert.is(c.difficulty, 4);
  assert.is(c.poolDifficultyTooLow, true);
});

test('the chip mask caps the ticket difficulty', () => {
  const c = chooseTicketDifficulty({ ...base, expectedHps: 1e12, maxTicketDifficulty: 256 });
  assert.is(c.difficulty, 256);
});

test('a chain with no hashrate gets difficulty 1 and zero expected nonces', () => {
  const c = chooseTicketDifficulty({ ...base, expectedHps: 0 });
  assert.is(c.difficulty, 1);
  assert.is(c.expectedNoncesPerSec, 0);
});

test.run();
