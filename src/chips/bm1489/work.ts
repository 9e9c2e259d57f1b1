import { crc16False } from '../common/crc';
import { reverseWords } from '../common/header';

/**
 * BM1489 work (chips.md §5.3, DEC H `work_2_packet_ltc`): `55 AA 20 wid <80 bytes> crc16 hi lo`,
 * 86 bytes, no length byte; the 80 bytes are the header with its word order reversed (H19 = start
 * nonce slot, sent as 0); CRC16 over bytes 2..83. Header 0x30 (the per-chain flag) is accepted too.
 */
export const WORK_LENGTH = 86;
export const REPLY_LENGTH = 9;

export function encodeWork(jobId: number, header76: Uint8Array, startNonce = 0): Buffer {
  if (header76.length < 76) throw new RangeError(`BM1489 work needs 76 header bytes, got ${header76.length}`);
  const h = Buffer.alloc(80);
  h.set(header76.subarray(0, 76), 0);
  h.writeUInt32BE(startNonce >>> 0, 76);
  const out = Buffer.alloc(WORK_LENGTH);
  out[0] = 0x55;
  out[1] = 0xaa;
  out[2] = 0x20;
  out[3] = jobId & 0x7f;
  out.set(reverseWords(h), 4);
  out.writeUInt16BE(crc16False(out.subarray(2, 84)), 84);
  return out;
}

/** The start nonce in the H19 slot (wire bytes 4..7, read big-endian like a returned nonce). */
export function workStartNonce(frame: Buffer): number {
  return frame.readUInt32BE(4);
}

export function workHeader76(frame: Buffer): Buffer {
  return reverseWords(frame.subarray(4, 84)).subarray(0, 76);
}
