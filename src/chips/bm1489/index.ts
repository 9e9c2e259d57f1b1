import type { ChipFamily } from '../types';
import { encodeHost, encodeReply, parseHost, parseReply } from './frame';
import { freqFromPll, pllFor } from './pll';
import * as regs from './registers';
import { REPLY_LENGTH, WORK_LENGTH } from './work';

/** BM1489 (Antminer L7), modelled from decompiled vendor output (chips.md §2.5, §3.3, §5.3, §7.3; [DEC]). */
export const bm1489: ChipFamily = {
  id: 'bm1489',
  chipId: 0x1489,
  coresPerChip: regs.CORES,
  coreCodes: Array.from({ length: regs.CORES }, (_, i) => i),
  resetBaud: 115200,
  jobIdCount: 128,
  // AA 55, nonce BE, diff, job id, last (nonce frames: top three bits 100, CRC5 below)
  replyFrameSpec: { length: REPLY_LENGTH, preamble: [0xaa, 0x55], crcStart: 2, crcBits: (REPLY_LENGTH - 2) * 8 - 5, crcByte: REPLY_LENGTH - 1, flagByte: REPLY_LENGTH - 1, flagMask: 0xe0, flagValue: 0x80, nonceOffset: 2, jobByte: 7, jobMask: 0x7f, jobShift: 0 },
  replyLength: REPLY_LENGTH,
  workLength: WORK_LENGTH,
  // core = bits 31..25, chip address = bits 24..17 (DEC H `packet_2_nonce_ltc`)
  nonceLayout: { chipShift: 17, coreShift: 25, coreBits: 7, fixedMask: 0xfffe0000 },
  coresOpenAtReset: true,
  regs: { chipAddr: regs.REG.chipAddr, hashrate: regs.REG.hashrate, pll: regs.REG.pll, ticketMask: regs.REG.coreCmd, misc: regs.REG.misc, coreCmd: regs.REG.coreCmd },
  encodeHost,
  parseHost,
  encodeReply,
  parseReply,
  chipIdValue: (address) => ((0x1489 << 16) | (regs.CORES << 8) | (address & 0xff)) >>> 0,
  pllFor,
  freqFromPll,
  // ticket mask low/high 16 bits in core registers 0x02/0x04: 32 bits (chips.md §3.3)
  maxTicketDifficulty: 2 ** 32,
  ticketMaskWrites: regs.ticketMaskWrites,
  ticketMaskAfterWrite: regs.ticketMaskAfterWrite,
  baudWrites: regs.baudWrites,
  baudAfterWrite: regs.baudAfterWrite,
  coreEnableWrites: () => [],
  coresOpenedByWrite: () => null,
};
