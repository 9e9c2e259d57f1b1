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
  // above the host floor (ticket 8, below): the statistics want 32, the pool's 20 caps it at 16
  const c = chooseTicketDifficulty({ ...base, shareDifficulty: 20 });
  assert.is(c.difficulty, 16);
  assert.is(c.poolDifficultyTooLow, true);
  assert.is(c.hostFloor, false);
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
  // with a mask capped at 256 (stock L3+ 0xFF): ~30 nonces/s for the miner, more than 5 % of a 3 ms core
  assert.is(arm.difficulty, 256);
  assert.ok(arm.expectedNoncesPerSec * 4 > cpuNoncesPerSecFor(3));
  const arm2 = chooseTicketDifficulty({ ...base, cpuNoncesPerSec: cpuNoncesPerSecFor(0.5) / 4 });
  assert.is(arm2.difficulty, 128, 'at 0.5 ms a hash: within budget below the chip maximum');
  assert.ok(arm2.expectedNoncesPerSec * 4 <= cpuNoncesPerSecFor(0.5));
});

test('a pool at difficulty 1 cannot lower the ticket below the host floor (UART and CPU budgets)', () => {
  // 126.1 MH/s = 1924 diff-1 nonces/s; a quarter of 115,200 baud carries 411 7-byte replies/s
  // and the CPU 500/s: ticket 8 (240/s) at the least.
  const c = chooseTicketDifficulty({ ...base, shareDifficulty: 1 });
  assert.is(c.difficulty, 8);
  assert.is(c.limitedBy, 'statistics');
  assert.ok(c.expectedNoncesPerSec <= 411);
  assert.is(c.hostFloor, true, 'the ticket is above the pool difficulty');
  assert.is(c.poolDifficultyTooLow, true);
  // a slow line: the UART floor (34.3 nonces/s at 9600 baud) holds too
  const slow = chooseTicketDifficulty({ ...base, baud: 9600, shareDifficulty: 1 });
  assert.ok(slow.expectedNoncesPerSec <= 34.3, String(slow.expectedNoncesPerSec));
  // and a pool difficulty above the statistics ticket changes nothing
  assert.is(chooseTicketDifficulty(base).hostFloor, false);
});

test('every pool difficulty, however small, keeps the nonce rate within the host budget', () => {
  for (const shareDifficulty of [1e-9, 0.001, 0.5, 1, 2, 3, 7, 100, 65536, 2 ** 40]) {
    for (const expectedHps of [1e6, 126.1e6, 9.5e9, 1e12]) {
      const c = chooseTicketDifficulty({ ...base, shareDifficulty, expectedHps, maxTicketDifficulty: 2 ** 32 });
      assert.ok(c.expectedNoncesPerSec <= base.cpuNoncesPerSec, `${shareDifficulty} ${expectedHps}: ${c.expectedNoncesPerSec}`);
    }
  }
});

test("with the chips' 32-bit mask the ticket follows the host's verification capacity past 256", () => {
  // One L7 chain (3 x 3.17 GH/s) on a controller verifying at 3 ms a hash: 5 % of a core is
  // 16.7 nonces/s, 5.6 per chain; the old cap of 256 gave ~189/s per chain.
  const l7 = { ...base, expectedHps: 3.17e9, cpuNoncesPerSec: cpuNoncesPerSecFor(3) / 3, maxTicketDifficulty: 2 ** 32 };
  const c = chooseTicketDifficulty(l7);
  assert.is(c.limitedBy, 'cpu');
  assert.ok(c.difficulty > 256, String(c.difficulty));
  assert.ok(c.expectedNoncesPerSec <= l7.cpuNoncesPerSec && c.expectedNoncesPerSec > l7.cpuNoncesPerSec / 2);
});

test.run();
