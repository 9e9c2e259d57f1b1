import type { ChipFamily } from '../types';
import { encodeHost, encodeReply, parseHost, parseReply } from './frame';
import { freqFromPll, pllFor } from './pll';
import * as regs from './registers';
import { JOB_SLOTS, REPLY_LENGTH, WORK_LENGTH } from './work';

/** BM1366 (BM13xx dialect as driven by ESP-Miner; chips.md §2.3, §3.2, §5.4, §7.2). */
export const bm1366: ChipFamily = {
  id: 'bm1366',
  chipId: 0x1366,
  coresPerChip: regs.CORES,
  coreCodes: Array.from({ length: regs.CORES }, (_, i) => i),
  resetBaud: 115200,
  jobIdCount: JOB_SLOTS,
  // AA 55, nonce BE, midstate, job id (bits 7..3), ..., last (bit 7 nonce, CRC5 below)
  replyFrameSpec: { length: REPLY_LENGTH, preamble: [0xaa, 0x55], crcStart: 2, crcBits: (REPLY_LENGTH - 2) * 8 - 5, crcByte: REPLY_LENGTH - 1, flagByte: REPLY_LENGTH - 1, flagMask: 0x80, flagValue: 0x80, nonceOffset: 2, jobByte: 7, jobMask: 0xf8, jobShift: 3 },
  replyLength: REPLY_LENGTH,
  workLength: WORK_LENGTH,
  nonceLayout: { chipShift: 17, coreShift: 25, coreBits: 7, fixedMask: 0xfffe0000 },
  coresOpenAtReset: true,
  regs: { chipAddr: regs.REG.chipAddr, hashrate: regs.REG.hashrate, pll: regs.REG.pll, ticketMask: regs.REG.ticketMask, misc: regs.REG.misc, coreCmd: regs.REG.coreCmd },
  encodeHost,
  parseHost,
  encodeReply,
  parseReply,
  // SRC E: reply bytes 2..3 chip id, byte 4 core number, byte 5 address
  chipIdValue: (address) => ((0x1366 << 16) | (regs.CORES << 8) | (address & 0xff)) >>> 0,
  pllFor,
  freqFromPll,
  // TICKET_MASK 0x14, 32 bits, bytes bit-reversed (chips.md §3.2, SRC E get_difficulty_mask)
  maxTicketDifficulty: 2 ** 32,
  ticketMaskWrites: regs.ticketMaskWrites,
  ticketMaskAfterWrite: (reg, value) => regs.ticketMaskAfterWrite(reg, value),
  baudWrites: regs.baudWrites,
  baudAfterWrite: regs.baudAfterWrite,
  coreEnableWrites: () => [],
  coresOpenedByWrite: () => null,
};
