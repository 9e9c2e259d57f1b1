import type { ChipFamily } from '../types';
import { encodeHost, encodeReply, parseHost, parseReply } from './frame';
import { freqFromPll, pllFor } from './pll';
import * as regs from './registers';
import { REPLY_LENGTH, WORK_LENGTH } from './work';

/** BM1485 (Antminer L3/L3+): chips.md §2.4, §3.1, §5.2, §6, §7.1. */
export const bm1485: ChipFamily = {
  id: 'bm1485',
  chipId: 0x1485,
  coresPerChip: 12,
  coreCodes: regs.CORE_CODES,
  resetBaud: 115200,
  jobIdCount: 128,
  // 7 bytes: nonce/value BE, two bytes, flags (bit 7 nonce, CRC5 over the first 51 bits in bits 4..0)
  replyFrameSpec: { length: REPLY_LENGTH, preamble: [], crcStart: 0, crcBits: 51, crcByte: 6, flagByte: 6, flagMask: 0x80, flagValue: 0x80, nonceOffset: 0, jobByte: 5, jobMask: 0x7f, jobShift: 0 },
  replyLength: REPLY_LENGTH,
  workLength: WORK_LENGTH,
  // nonce = core:4 | chipaddr:8 | counter:20 (SRC B `union nonce_u`)
  nonceLayout: { chipShift: 20, coreShift: 28, coreBits: 4, fixedMask: 0xfff00000 },
  coresOpenAtReset: false,
  regs: { chipAddr: regs.REG.chipAddr, hashrate: regs.REG.hashrate, pll: regs.REG.pll, ticketMask: regs.REG.ticketMask, misc: regs.REG.misc, coreCmd: regs.REG.coreCmd },
  encodeHost,
  parseHost,
  encodeReply,
  parseReply,
  // kabosu's choice (chips.md §17): chip id in the top 16 bits, core count, address.
  chipIdValue: (address) => ((0x1485 << 16) | (12 << 8) | (address & 0xff)) >>> 0,
  pllFor,
  freqFromPll,
  // TICKET_MASK 0x14 is a 32-bit BE register, mask 2^k - 1 (chips.md §3.1)
  maxTicketDifficulty: 2 ** 32,
  ticketMaskWrites: regs.ticketMaskWrites,
  ticketMaskAfterWrite: (reg, value) => regs.ticketMaskAfterWrite(reg, value),
  baudWrites: regs.baudWrites,
  baudAfterWrite: regs.baudAfterWrite,
  coreEnableWrites: regs.coreEnableWrites,
  coresOpenedByWrite: regs.coresOpenedByWrite,
};
