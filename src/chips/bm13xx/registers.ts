import { baudOfBt8d, bt8dFor, type RegWrite } from '../types';

/** BM1366 registers used by ESP-Miner (chips.md §3.2, SRC E). */
export const REG = { chipAddr: 0x00, hashrate: 0x04, pll: 0x08, ticketMask: 0x14, misc: 0x18, fastUart: 0x28, coreCmd: 0x3c } as const;
export const CORES = 112;
/** Fast UART `11 30 02 00` -> 1 Mbaud (BM1366/68/70). */
export const FAST_UART_1M = 0x11300200;
const MISC_DEFAULT = 0x00007a31;

function reverseBits8(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
}
/** Each byte of the mask is bit-reversed (SRC E `get_difficulty_mask`); an involution. */
export function reverseMaskBytes(v: number): number {
  return ((reverseBits8((v >>> 24) & 0xff) << 24) | (reverseBits8((v >>> 16) & 0xff) << 16) | (reverseBits8((v >>> 8) & 0xff) << 8) | reverseBits8(v & 0xff)) >>> 0;
}

export function ticketMaskWrites(difficulty: number): RegWrite[] {
  const k = Math.max(0, Math.min(32, Math.floor(Math.log2(Math.max(1, difficulty)))));
  const mask = k >= 32 ? 0xffffffff : (2 ** k - 1) >>> 0;
  return [{ reg: REG.ticketMask, value: reverseMaskBytes(mask) }];
}
export function ticketMaskAfterWrite(reg: number, value: number): number | null {
  return reg === REG.ticketMask ? reverseMaskBytes(value) : null;
}

export function baudWrites(baud: number): { writes: RegWrite[]; actualBaud: number } {
  if (baud >= 1_000_000) return { writes: [{ reg: REG.fastUart, value: FAST_UART_1M }], actualBaud: 1_000_000 };
  const bt8d = bt8dFor(baud);
  return { writes: [{ reg: REG.misc, value: ((MISC_DEFAULT & ~0x1f00) | (bt8d << 8)) >>> 0 }], actualBaud: baudOfBt8d(bt8d) };
}
export function baudAfterWrite(reg: number, value: number): number | null {
  if (reg === REG.misc) return baudOfBt8d((value >>> 8) & 0x1f);
  if (reg === REG.fastUart && value === FAST_UART_1M) return 1_000_000;
  return null;
}
