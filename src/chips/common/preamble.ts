import { crc5, crc5Bits } from './crc';
import { commandLength, decodeCommand, encodeCommand } from './command';
import type { ChipReply, HostFrame, ParseStep } from '../types';

/**
 * The BM13xx-style framing shared by BM1489 (chips.md §2.5) and BM1366 (§2.3): host frames start
 * `55 AA`, replies `AA 55`. Commands: `55 AA hdr len chip reg [v BE] crc5`, len counts header to CRC
 * (5 or 9), CRC5 over the bytes after the preamble. The BM1489 read carries a 2-bit field in
 * bits 6..5 of its CRC byte (meaning unknown); kabosu sends 0 and ignores it on receive.
 */
export const HOST_PREAMBLE = Buffer.from([0x55, 0xaa]);
export const REPLY_PREAMBLE = Buffer.from([0xaa, 0x55]);

export function encodePreambleCommand(f: Exclude<HostFrame, { kind: 'work' }>): Buffer {
  return Buffer.concat([HOST_PREAMBLE, encodeCommand(f, (n) => n)]);
}

/** Parses a command at the start of `buf` (preamble already matched); null header = not a command. */
export function parsePreambleCommand(buf: Buffer): ParseStep<HostFrame> | 'not-command' {
  const n = commandLength(buf[2]);
  if (n === 0) return 'not-command';
  if (buf.length < 4) return null;
  if (buf[3] !== n) return { ok: false, reason: 'length' };
  if (buf.length < n + 2) return null;
  const body = buf.subarray(2, n + 2);
  if (crc5(body.subarray(0, n - 1)) !== (body[n - 1] & 0x1f)) return { ok: false, reason: 'crc' };
  const frame = decodeCommand(body);
  return frame ? { ok: true, frame, length: n + 2 } : { ok: false, reason: 'header' };
}

/** Reply with the preamble: AA 55 v0..v3 a b [extra...] last; CRC5 over all bits after the preamble but the last 5. */
export function encodePreambleReply(length: number, v: number, a: number, b: number, nonce: boolean): Buffer {
  const out = Buffer.alloc(length);
  REPLY_PREAMBLE.copy(out, 0);
  out.writeUInt32BE(v >>> 0, 2);
  out[6] = a & 0xff;
  out[7] = b & 0xff;
  out[length - 1] = nonce ? 0x80 : 0;
  out[length - 1] |= crc5Bits(out.subarray(2), (length - 2) * 8 - 5);
  return out;
}

export function checkPreambleReply(buf: Buffer, length: number): ParseStep<{ v: number; a: number; b: number; nonce: boolean; last: number }> {
  if (buf.length < 1) return null;
  if (buf[0] !== 0xaa) return { ok: false, reason: 'header' };
  if (buf.length < 2) return null;
  if (buf[1] !== 0x55) return { ok: false, reason: 'header' };
  if (buf.length < length) return null;
  const last = buf[length - 1];
  if ((last & 0x1f) !== crc5Bits(buf.subarray(2), (length - 2) * 8 - 5)) return { ok: false, reason: 'crc' };
  return { ok: true, frame: { v: buf.readUInt32BE(2), a: buf[6], b: buf[7], nonce: (last & 0x80) !== 0, last }, length };
}

export function matchHostPreamble(buf: Buffer): ParseStep<never> | 'ok' {
  if (buf.length < 1) return null;
  if (buf[0] !== 0x55) return { ok: false, reason: 'header' };
  if (buf.length < 2) return null;
  if (buf[1] !== 0xaa) return { ok: false, reason: 'header' };
  if (buf.length < 3) return null;
  return 'ok';
}

export type ReplyOf = ChipReply;
