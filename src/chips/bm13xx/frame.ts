import { crc16False } from '../common/crc';
import { checkPreambleReply, encodePreambleCommand, encodePreambleReply, matchHostPreamble, parsePreambleCommand } from '../common/preamble';
import type { ChipReply, HostFrame, ParseStep } from '../types';
import { REPLY_LENGTH, WORK_LENGTH, decodeWork, encodeWork } from './work';

/** BM1366 framing (chips.md §2.3): `55 AA`, length includes the CRC; replies 11 bytes `AA 55`. */
export function encodeHost(f: HostFrame): Buffer {
  return f.kind === 'work' ? encodeWork(f.jobId, f.header76) : encodePreambleCommand(f);
}

export function parseHost(buf: Buffer): ParseStep<HostFrame> {
  const p = matchHostPreamble(buf);
  if (p !== 'ok') return p;
  if (buf[2] === 0x21) {
    if (buf.length < 4) return null;
    if (buf[3] !== WORK_LENGTH - 2) return { ok: false, reason: 'length' };
    if (buf.length < WORK_LENGTH) return null;
    if (crc16False(buf.subarray(2, 86)) !== buf.readUInt16BE(86)) return { ok: false, reason: 'crc' };
    const w = decodeWork(buf);
    return { ok: true, frame: { kind: 'work', jobId: w.jobId, header76: w.header76 }, length: WORK_LENGTH };
  }
  const c = parsePreambleCommand(buf);
  return c === 'not-command' ? { ok: false, reason: 'header' } : c;
}

/** Nonce: payload nonce, b6 midstate 0, b7 job id x 8 | small core, b8..b9 version 0; register: value, chip, reg. */
export function encodeReply(r: ChipReply): Buffer {
  return r.kind === 'nonce'
    ? encodePreambleReply(REPLY_LENGTH, r.nonce, 0, ((r.jobId * 8) & 0x78) | (r.diff & 0x07), true)
    : encodePreambleReply(REPLY_LENGTH, r.value, r.chip, r.reg, false);
}

export function parseReply(buf: Buffer): ParseStep<ChipReply> {
  const s = checkPreambleReply(buf, REPLY_LENGTH);
  if (!s || !s.ok) return s;
  const f = s.frame;
  if (f.nonce) return { ok: true, frame: { kind: 'nonce', nonce: f.v, jobId: (f.b & 0xf8) >> 3, diff: f.b & 0x07 }, length: REPLY_LENGTH };
  return { ok: true, frame: { kind: 'register', value: f.v, chip: f.a, reg: f.b }, length: REPLY_LENGTH };
}
