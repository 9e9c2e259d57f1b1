import { crc16False } from '../common/crc';
import { checkPreambleReply, encodePreambleCommand, encodePreambleReply, matchHostPreamble, parsePreambleCommand } from '../common/preamble';
import type { ChipReply, HostFrame, ParseStep } from '../types';
import { REPLY_LENGTH, WORK_LENGTH, encodeWork, workHeader76, workStartNonce } from './work';

/** BM1489 framing (chips.md §2.5): commands as BM13xx, 86-byte work without a length byte, 9-byte replies. */
export function encodeHost(f: HostFrame): Buffer {
  return f.kind === 'work' ? encodeWork(f.jobId, f.header76, f.startNonce ?? 0) : encodePreambleCommand(f);
}

export function parseHost(buf: Buffer): ParseStep<HostFrame> {
  const p = matchHostPreamble(buf);
  if (p !== 'ok') return p;
  if (buf[2] === 0x20 || buf[2] === 0x30) {
    if (buf.length < WORK_LENGTH) return null;
    if (crc16False(buf.subarray(2, 84)) !== buf.readUInt16BE(84)) return { ok: false, reason: 'crc' };
    const frame: HostFrame = { kind: 'work', jobId: buf[3] & 0x7f, header76: workHeader76(buf) };
    const start = workStartNonce(buf);
    if (start !== 0) frame.startNonce = start;
    return { ok: true, frame, length: WORK_LENGTH };
  }
  const c = parsePreambleCommand(buf);
  return c === 'not-command' ? { ok: false, reason: 'header' } : c;
}

/** Nonce `AA 55 n0..n3 diff wid flags` (flags >> 5 == 4); register `AA 55 v0..v3 chip reg crc`. */
export function encodeReply(r: ChipReply): Buffer {
  return r.kind === 'nonce'
    ? encodePreambleReply(REPLY_LENGTH, r.nonce, r.diff & 0x3f, r.jobId & 0x7f, true)
    : encodePreambleReply(REPLY_LENGTH, r.value, r.chip, r.reg, false);
}

export function parseReply(buf: Buffer): ParseStep<ChipReply> {
  const s = checkPreambleReply(buf, REPLY_LENGTH);
  if (!s || !s.ok) return s;
  const f = s.frame;
  if (f.nonce) {
    if (f.last >> 5 !== 4) return { ok: false, reason: 'header' };
    return { ok: true, frame: { kind: 'nonce', nonce: f.v, diff: f.a & 0x3f, jobId: f.b & 0x7f }, length: REPLY_LENGTH };
  }
  return { ok: true, frame: { kind: 'register', value: f.v, chip: f.a, reg: f.b }, length: REPLY_LENGTH };
}
