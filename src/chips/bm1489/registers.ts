import { baudOfBt8d, bt8dFor, type RegWrite } from '../types';

/** BM1489 registers observed (chips.md §3.3, DEC H). */
export const REG = { chipAddr: 0x00, hashrate: 0x04, pll: 0x08, misc: 0x18, coreCmd: 0x3c } as const;
export const CORES = 117;
/** Ticket mask low / high 16 bits live in core registers 2 and 4, broadcast to all cores. */
export const CORE_REG_TICKET_LO = 0x02;
export const CORE_REG_TICKET_HI = 0x04;

/** Core register access through chip reg 0x3C: bit31 all cores, bit30 1, bits 27..20 core id, 19..16 reg, 15..0 data. */
export function coreRegValue(coreReg: number, data: number, coreId = 0, all = true): number {
  return ((all ? 0x80000000 : 0) | 0x40000000 | ((coreId & 0xff) << 20) | ((coreReg & 0x0f) << 16) | (data & 0xffff)) >>> 0;
}

export function ticketMaskWrites(difficulty: number): RegWrite[] {
  const k = Math.max(0, Math.min(32, Math.floor(Math.log2(Math.max(1, difficulty)))));
  const mask = k >= 32 ? 0xffffffff : (2 ** k - 1) >>> 0;
  return [
    { reg: REG.coreCmd, value: coreRegValue(CORE_REG_TICKET_LO, mask & 0xffff) },
    { reg: REG.coreCmd, value: coreRegValue(CORE_REG_TICKET_HI, mask >>> 16) },
  ];
}

export function ticketMaskAfterWrite(reg: number, value: number, current: number): number | null {
  if (reg !== REG.coreCmd || !(value & 0x40000000)) return null;
  const coreReg = (value >>> 16) & 0x0f;
  const data = value & 0xffff;
  if (coreReg === CORE_REG_TICKET_LO) return ((current & 0xffff0000) | data) >>> 0;
  if (coreReg === CORE_REG_TICKET_HI) return ((data << 16) | (current & 0xffff)) >>> 0;
  return null;
}

/** MISC 0x18 = 0x070060F1 + ((bt8d & 0x1F) << 8) (DEC H `chip_setting_misc_ltc`). */
export function baudWrites(baud: number): { writes: RegWrite[]; actualBaud: number } {
  const bt8d = bt8dFor(baud);
  return { writes: [{ reg: REG.misc, value: (0x070060f1 + (bt8d << 8)) >>> 0 }], actualBaud: baudOfBt8d(bt8d) };
}
export function baudAfterWrite(reg: number, value: number): number | null {
  return reg === REG.misc ? baudOfBt8d((value >>> 8) & 0x1f) : null;
}
