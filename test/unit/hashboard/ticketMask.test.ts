import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VERIFY_CPU_SHARE, chooseTicketDifficulty, cpuNoncesPerSecFor, type TicketInputs } from '../../../src/hashboard/ticketMask';

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

test('the CPU budget follows the measured hash cost: x86 one-hash kernel vs a Cortex-A controller', () => {
  assert.is(VERIFY_CPU_SHARE, 0.05);
  assert.ok(Math.abs(cpuNoncesPerSecFor(0.17) - 294.1) < 0.1, '5 % of a core at 0.17 ms a hash');
  assert.ok(Math.abs(cpuNoncesPerSecFor(3) - 16.67) < 0.01);
  for (const bad of [undefined, 0, -1, NaN, Infinity]) assert.is(cpuNoncesPerSecFor(bad), 1000, String(bad));
  // an L3+ (4 chains): on x86 the statistics target decides; at 3 ms a hash the CPU does, with heavier tickets
  const x86 = chooseTicketDifficulty({ ...base, cpuNoncesPerSec: cpuNoncesPerSecFor(0.17) / 4 });
  const arm = chooseTicketDifficulty({ ...base, cpuNoncesPerSec: cpuNoncesPerSecFor(3) / 4 });
  assert.is(x86.difficulty, chooseTicketDifficulty(base).difficulty, 'the same ticket as with the statistics target alone');
  assert.is(arm.limitedBy, 'cpu');
  // the chip's mask tops out at 256 (stock L3+ 0xFF): ~30 nonces/s for the miner, more than 5 % of a 3 ms core
  assert.is(arm.difficulty, 256);
  assert.ok(arm.expectedNoncesPerSec * 4 > cpuNoncesPerSecFor(3));
  const arm2 = chooseTicketDifficulty({ ...base, cpuNoncesPerSec: cpuNoncesPerSecFor(0.5) / 4 });
  assert.is(arm2.difficulty, 128, 'at 0.5 ms a hash: within budget below the chip maximum');
  assert.ok(arm2.expectedNoncesPerSec * 4 <= cpuNoncesPerSecFor(0.5));
});

test.run();
