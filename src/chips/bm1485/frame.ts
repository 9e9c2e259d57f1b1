import { crc16False, crc5, crc5Bits } from '../common/crc';
import { commandLength, decodeCommand, encodeCommand } from '../common/command';
import type { ChipReply, HostFrame, ParseStep } from '../types';
import { REPLY_LENGTH, WORK_LENGTH, WORK_TYPE, encodeTestWork, encodeWork, workHeader76 } from './work';

/**
 * BM1485 framing (chips.md §2.4, SRC B): no preamble; the length byte excludes the CRC.
 * Commands 5 (len 0x04) or 9 (len 0x08) bytes with CRC5 over the whole bytes before it; work 82
 * bytes (0x20 0x50), test work 86 bytes (0x21 0x54, accepted and treated as work).
 */
export function encodeHost(f: HostFrame): Buffer {
  if (f.kind === 'work') return f.startNonce === undefined ? encodeWork(f.jobId, f.header76) : encodeTestWork(f.jobId, f.header76, f.startNonce);
  return encodeCommand(f, (n) => n - 1);
}

export function parseHost(buf: Buffer): ParseStep<HostFrame> {
  if (buf.length < 2) return null;
  const hdr = buf[0];
  if (hdr === WORK_TYPE || hdr === 0x21) {
    const want = hdr === WORK_TYPE ? 0x50 : 0x54;
    if (buf[1] !== want) return { ok: false, reason: 'length' };
    const n = want + 2;
    if (buf.length < n) return null;
    if (crc16False(buf.subarray(0, n - 2)) !== buf.readUInt16BE(n - 2)) return { ok: false, reason: 'crc' };
    const body = hdr === WORK_TYPE ? buf.subarray(0, WORK_LENGTH) : Buffer.concat([buf.subarray(0, 4), buf.subarray(8, 84)]);
    const frame: HostFrame = { kind: 'work', jobId: buf[2] & 0x7f, header76: workHeader76(body) };
    if (hdr !== WORK_TYPE) frame.startNonce = buf.readUInt32BE(4);
    return { ok: true, frame, length: n };
  }
  const n = commandLength(hdr);
  if (n === 0) return { ok: false, reason: 'header' };
  if (buf[1] !== n - 1) return { ok: false, reason: 'length' };
  if (buf.length < n) return null;
  if (crc5(buf.subarray(0, n - 1)) !== buf[n - 1]) return { ok: false, reason: 'crc' };
  const frame = decodeCommand(buf.subarray(0, n));
  return frame ? { ok: true, frame, length: n } : { ok: false, reason: 'header' };
}

export function encodeReply(r: ChipReply): Buffer {
  const out = Buffer.alloc(REPLY_LENGTH);
  if (r.kind === 'nonce') {
    out.writeUInt32BE(r.nonce >>> 0, 0);
    out[4] = r.diff & 0x3f;
    out[5] = r.jobId & 0x7f;
    out[6] = 0x80;
  } else {
    out.writeUInt32BE(r.value >>> 0, 0);
    out[4] = r.chip & 0xff;
    out[5] = r.reg & 0xff;
    out[6] = 0;
  }
  out[6] |= crc5Bits(out, 51);
  return out;
}

export function parseReply(buf: Buffer): ParseStep<ChipReply> {
  if (buf.length < REPLY_LENGTH) return null;
  const flags = buf[6];
  if ((flags & 0x1f) !== crc5Bits(buf, 51)) return { ok: false, reason: 'crc' };
  if (flags & 0x80) {
    return { ok: true, frame: { kind: 'nonce', nonce: buf.readUInt32BE(0), diff: buf[4] & 0x3f, jobId: buf[5] & 0x7f }, length: REPLY_LENGTH };
  }
  return { ok: true, frame: { kind: 'register', value: buf.readUInt32BE(0), chip: buf[4], reg: buf[5] }, length: REPLY_LENGTH };
}
