/**
 * The typed face of a chip family: frames the host sends, replies the chips send, and the
 * family's numbers (PLL, ticket mask, baud, nonce bit layout). Bytes only; nothing about time.
 */
import type { ReplyFrameSpec } from '../hal/types';

export type ChipFamilyId = 'bm1485' | 'bm1489' | 'bm1366';

/** A frame from the host to the chips (the simulator decodes these; the driver encodes them). */
export type HostFrame =
  | { kind: 'setAddress'; address: number }
  | { kind: 'chainInactive' }
  | { kind: 'readReg'; broadcast: boolean; chip: number; reg: number }
  | { kind: 'writeReg'; broadcast: boolean; chip: number; reg: number; value: number }
  /**
   * header76: header bytes 0..75 in header order (the nonce field is the chip's to fill).
   * startNonce: where the chips' counters start (BM1485 test work 0x21; BM1489's H19 slot); else 0.
   */
  | { kind: 'work'; jobId: number; header76: Buffer; startNonce?: number };

/** A reply from a chip. `nonce` is the 4 wire bytes read big-endian (chips.md §5.1). */
export type ChipReply =
  | { kind: 'register'; chip: number; reg: number; value: number }
  | { kind: 'nonce'; nonce: number; jobId: number; diff: number };

/** One parse attempt at the start of a buffer. */
export type ParseStep<T> =
  | { ok: true; frame: T; length: number }
  /** The bytes at the start are not a valid frame (bad header, length or CRC): skip one byte. */
  | { ok: false; reason: 'header' | 'length' | 'crc' }
  /** Not enough bytes yet to decide. */
  | null;

export interface RegWrite {
  reg: number;
  value: number;
}

/** Which nonce bits the chip address and core fix (nonce read big-endian). */
export interface NonceLayout {
  chipShift: number;
  coreShift: number;
  coreBits: number;
  /** All bits fixed by the chip address and core (the rest are the chip's counter). */
  fixedMask: number;
}

export interface ChipFamily {
  readonly id: ChipFamilyId;
  /** The reply framing for a UART reader that frames and hashes nonces itself (hal UartPrehash). */
  readonly replyFrameSpec: ReplyFrameSpec;
  readonly chipId: number;
  readonly coresPerChip: number;
  /** The core codes that appear in nonce core bits (BM1485: 0-5, 8-13). */
  readonly coreCodes: readonly number[];
  /** Line speed after reset (chips.md §9). */
  readonly resetBaud: number;
  /** Distinct job ids the wire carries (BM1485/BM1489 7 bits; BM1366 id = slot x 8). */
  readonly jobIdCount: number;
  readonly replyLength: number;
  readonly workLength: number;
  readonly nonceLayout: NonceLayout;
  /** True when cores hash right after reset; false when they need a clock-enable (BM1485). */
  readonly coresOpenAtReset: boolean;
  readonly regs: { chipAddr: number; hashrate: number; pll: number; ticketMask: number; misc: number; coreCmd: number };

  encodeHost(f: HostFrame): Buffer;
  parseHost(buf: Buffer): ParseStep<HostFrame>;
  encodeReply(r: ChipReply): Buffer;
  parseReply(buf: Buffer): ParseStep<ChipReply>;

  /** The register value a chip answers to a read of reg 0x00 (chip id, cores, address). */
  chipIdValue(address: number): number;
  /** PLL register value for a frequency, and the frequency it really gives. */
  pllFor(freqMHz: number): { value: number; freqMHz: number };
  /** Frequency a PLL register value gives; null when the dividers are invalid. */
  freqFromPll(value: number): number | null;
  /**
   * The hardest ticket difficulty the chip's ticket-mask register can express (diff-1 units): the
   * mask is 2^k - 1 in a 32-bit register on every family here, so 2^32.
   */
  readonly maxTicketDifficulty: number;
  /** Register writes that set the ticket mask for a power-of-two ticket difficulty (diff-1 units). */
  ticketMaskWrites(difficulty: number): RegWrite[];
  /** The new ticket mask after this write, or null when the write does not touch it. */
  ticketMaskAfterWrite(reg: number, value: number, current: number): number | null;
  /** Register writes that switch the chips' UART to (about) `baud`, and the rate they really give. */
  baudWrites(baud: number): { writes: RegWrite[]; actualBaud: number };
  /** The chip line speed after this register write, or null when it does not change it. */
  baudAfterWrite(reg: number, value: number): number | null;
  /** Writes that open every core (empty when cores are open at reset). */
  coreEnableWrites(): RegWrite[];
  /** Core codes this write opens: 'all', a list, or null. */
  coresOpenedByWrite(reg: number, value: number): 'all' | number[] | null;
}

/** Ticket difficulty (in scrypt diff-1 shares) that a mask stands for: mask + 1 (chips.md §4 of key findings). */
export function ticketDifficultyOfMask(mask: number): number {
  return (mask >>> 0) + 1;
}

/** Chip UART divisor (chips.md §8): baud = 25 MHz / (8 x (bt8d + 1)). */
export function bt8dFor(baud: number): number {
  return Math.max(0, Math.min(31, Math.round(25e6 / (8 * baud) - 1)));
}
export function baudOfBt8d(bt8d: number): number {
  return 25e6 / (8 * ((bt8d & 0x1f) + 1));
}
