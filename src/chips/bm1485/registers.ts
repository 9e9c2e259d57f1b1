import { baudOfBt8d, bt8dFor, type RegWrite } from '../types';

/** BM1485 register addresses (chips.md §3.1, SRC B `driver-btm-L3.h`). */
export const REG = {
  chipAddr: 0x00,
  hashrate: 0x04,
  pll: 0x08,
  sno: 0x0c,
  hcn: 0x10,
  ticketMask: 0x14,
  misc: 0x18,
  generalIic: 0x1c,
  coreCmd: 0x3c,
  coreResp: 0x40,
  extTemp: 0x44,
} as const;

/** Stock MISC_CONTROL `41 40 3A 10` (bt8d = 26 -> 115 741 baud), chips.md §3.1. */
export const MISC_STOCK = 0x41403a10;
/** The 12 physical cores are coded 0-5 and 8-13 (SRC B `set_core_ctrl`). */
export const CORE_CODES: readonly number[] = [0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13];
const CORE_CMD_CLOCK_EN = 0;

/** bt8d sits in MISC bits 12..8 (byte2 bits 4..0 of the wire image). */
export function miscWithBaud(baud: number, base = MISC_STOCK): { value: number; actualBaud: number } {
  const bt8d = bt8dFor(baud);
  return { value: ((base & ~0x1f00) | (bt8d << 8)) >>> 0, actualBaud: baudOfBt8d(bt8d) };
}

export function baudWrites(baud: number): { writes: RegWrite[]; actualBaud: number } {
  const m = miscWithBaud(baud);
  return { writes: [{ reg: REG.misc, value: m.value }], actualBaud: m.actualBaud };
}

export function baudAfterWrite(reg: number, value: number): number | null {
  return reg === REG.misc ? baudOfBt8d((value >>> 8) & 0x1f) : null;
}

/** TICKET_MASK is BE32(mask), mask = 2^k - 1 (stock 0xFF). */
export function ticketMaskWrites(difficulty: number): RegWrite[] {
  return [{ reg: REG.ticketMask, value: maskFor(difficulty) }];
}
export function maskFor(difficulty: number): number {
  const k = Math.max(0, Math.min(32, Math.floor(Math.log2(Math.max(1, difficulty)))));
  return k >= 32 ? 0xffffffff : (2 ** k - 1) >>> 0;
}
export function ticketMaskAfterWrite(reg: number, value: number): number | null {
  return reg === REG.ticketMask ? value >>> 0 : null;
}

/** CORE_CMD_IN: byte0 b7 all-cores, byte1 core index, byte2 command type, byte3 data. */
export function coreCmdValue(coreCode: number, type: number, data: number, all = false): number {
  return (((all ? 0x80 : 0) << 24) | ((coreCode & 0x0f) << 16) | ((type & 0xff) << 8) | (data & 0xff)) >>> 0;
}
export function coreEnableWrites(): RegWrite[] {
  return CORE_CODES.map((c) => ({ reg: REG.coreCmd, value: coreCmdValue(c, CORE_CMD_CLOCK_EN, 1) }));
}
export function coresOpenedByWrite(reg: number, value: number): 'all' | number[] | null {
  if (reg !== REG.coreCmd) return null;
  if (((value >>> 8) & 0xff) !== CORE_CMD_CLOCK_EN || (value & 0xff) !== 1) return null;
  if ((value >>> 31) & 1) return 'all';
  const code = (value >>> 16) & 0x0f;
  return CORE_CODES.includes(code) ? [code] : null;
}
