import { HASHES_PER_DIFF1 } from './hashrateMeter';

/**
 * Ticket difficulty per chain: chips return only nonces whose hash meets the ticket target
 * (difficulty d, a power of two set through the ticket-mask register). The rule:
 *
 * 1. The nonce rate a chain may produce is the smallest of three budgets:
 *    - the UART: nonce replies may use at most `uartShare` of the line's byte rate
 *      (10 bits per byte on the wire);
 *    - the host CPU: the verification budget given to this chain (nonces/s);
 *    - the statistics target: enough nonces for a good hashrate estimate, no more.
 * 2. d = the smallest power of two with expectedHps / (d x 65536) <= that rate.
 * 3. d never exceeds the pool's share difficulty (rounded down to a power of two): a ticket
 *    harder than the share target would silently drop shares the pool would credit. When the
 *    budgets need a harder ticket than the pool's difficulty, the result says so
 *    (`poolDifficultyTooLow`) so the caller can ask the pool for a higher one
 *    (mining.suggest_difficulty) rather than overload the line or the CPU.
 * 4. Except for the host's own limits: the UART and CPU budgets are a floor that the pool's
 *    difficulty cannot lower (`hostFloor`). A pool at difficulty 1 would otherwise set ticket 1
 *    and flood the host with nonces it cannot verify (observed: RSS 138 MB -> 1.18 GB in 3.5
 *    minutes, share-submit p99 12.9 s). Shares between the pool's difficulty and that floor are
 *    then not seen; the pool credits fewer shares than the chips' hashrate implies, and whoever
 *    judges that (the flatline watchdog) must expect shares at max(pool, ticket) difficulty.
 * 5. d stays within what the chip's mask can express.
 */
export interface TicketInputs {
  expectedHps: number;
  baud: number;
  replyBytes: number;
  /** Fraction of the UART byte rate nonce replies may take (default 0.25). */
  uartShare?: number;
  cpuNoncesPerSec: number;
  targetNoncesPerSec: number;
  shareDifficulty: number;
  maxTicketDifficulty: number;
}

export interface TicketChoice {
  difficulty: number;
  expectedNoncesPerSec: number;
  limitedBy: 'uart' | 'cpu' | 'statistics';
  /** True when the budgets wanted a ticket harder than the pool's share difficulty. */
  poolDifficultyTooLow: boolean;
  /** True when the host's UART/CPU floor set a ticket above the pool's share difficulty. */
  hostFloor: boolean;
}

export function chooseTicketDifficulty(i: TicketInputs): TicketChoice {
  const uartRate = ((i.baud / 10) * (i.uartShare ?? 0.25)) / i.replyBytes;
  const budgets: [TicketChoice['limitedBy'], number][] = [
    ['uart', uartRate],
    ['cpu', i.cpuNoncesPerSec],
    ['statistics', i.targetNoncesPerSec],
  ];
  const [limitedBy, maxRate] = budgets.reduce((a, b) => (b[1] < a[1] ? b : a));
  const hostRate = Math.min(uartRate, i.cpuNoncesPerSec);
  const hashesPerSecPerDiff = Math.max(0, i.expectedHps) / HASHES_PER_DIFF1;
  const wanted = smallestTicket(hashesPerSecPerDiff, maxRate, i.maxTicketDifficulty);
  const floor = smallestTicket(hashesPerSecPerDiff, hostRate, i.maxTicketDifficulty);
  const shareCap = floorPow2(Math.max(1, i.shareDifficulty));
  const poolDifficultyTooLow = wanted > shareCap;
  const d = Math.max(floor, Math.min(wanted, shareCap));
  return { difficulty: d, expectedNoncesPerSec: hashesPerSecPerDiff / d, limitedBy, poolDifficultyTooLow, hostFloor: d > shareCap };
}

/** The smallest power-of-two ticket (within the mask) whose nonce rate fits `maxRate`. */
function smallestTicket(hashesPerSecPerDiff: number, maxRate: number, maxTicket: number): number {
  let d = 1;
  while (d < maxTicket && hashesPerSecPerDiff / d > maxRate) d *= 2;
  return d;
}

/** Share of one core the host may spend verifying nonces (the firmware's whole budget is 10 %). */
export const VERIFY_CPU_SHARE = 0.05;

/**
 * The CPU budget of the ticket rule from the measured cost of one verification: with x86-64's
 * one-hash kernel (~0.17 ms) that is ~290 nonces/s for the miner, so the statistics target
 * decides; on a Cortex-A controller (several ms per scrypt) it is a few dozen, and the rule
 * picks heavier tickets instead of a CPU the verification would swamp. Unknown cost: 1000/s.
 */
export function cpuNoncesPerSecFor(hashCostMs: number | undefined, share = VERIFY_CPU_SHARE): number {
  if (hashCostMs === undefined || !Number.isFinite(hashCostMs) || hashCostMs <= 0) return 1000;
  return Math.max(1, (share * 1000) / hashCostMs);
}

function floorPow2(x: number): number {
  return 2 ** Math.floor(Math.log2(x));
}
