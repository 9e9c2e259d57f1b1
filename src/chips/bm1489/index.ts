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
  ticketMaskWrites: regs.ticketMaskWrites,
  ticketMaskAfterWrite: regs.ticketMaskAfterWrite,
  baudWrites: regs.baudWrites,
  baudAfterWrite: regs.baudAfterWrite,
  coreEnableWrites: () => [],
  coresOpenedByWrite: () => null,
};
