import { crc16False } from '../common/crc';
import { reverseWords } from '../common/header';

/**
 * BM1485 work (chips.md §5.2, SRC B `struct work_ltc`): 0x20 | 0x50 | wc | 0x00 |
 * H18..H0 (76 bytes, word order reversed) | CRC16 hi lo over bytes 0..79. 82 bytes.
 */
export const WORK_LENGTH = 82;
export const WORK_TYPE = 0x20;

/** Test work (SRC B `WORK_INPUT_TYPE 0x21`): 0x21 | 0x54 | wc | 0 | start nonce BE | H18..H0 | CRC16. 86 bytes. */
export const TEST_WORK_LENGTH = 86;

export function encodeTestWork(jobId: number, header76: Uint8Array, startNonce: number): Buffer {
  if (header76.length < 76) throw new RangeError(`BM1485 work needs 76 header bytes, got ${header76.length}`);
  const out = Buffer.alloc(TEST_WORK_LENGTH);
  out[0] = 0x21;
  out[1] = 0x54;
  out[2] = jobId & 0x7f;
  out.writeUInt32BE(startNonce >>> 0, 4);
  out.set(reverseWords(header76.subarray(0, 76)), 8);
  out.writeUInt16BE(crc16False(out.subarray(0, 84)), 84);
  return out;
}

export function encodeWork(jobId: number, header76: Uint8Array): Buffer {
  if (header76.length < 76) throw new RangeError(`BM1485 work needs 76 header bytes, got ${header76.length}`);
  const out = Buffer.alloc(WORK_LENGTH);
  out[0] = WORK_TYPE;
  out[1] = 0x50;
  out[2] = jobId & 0x7f;
  out[3] = 0;
  out.set(reverseWords(header76.subarray(0, 76)), 4);
  out.writeUInt16BE(crc16False(out.subarray(0, 80)), 80);
  return out;
}

/** Header bytes 0..75 from a work frame whose CRC was checked. */
export function workHeader76(frame: Buffer): Buffer {
  return reverseWords(frame.subarray(4, 80));
}

/**
 * Reply (7 bytes, no preamble, SRC B): v0..v3 | b4 | b5 | flags. flags bit7 = nonce,
 * bits 4..0 = CRC5 over the first 51 bits. Nonce: b4 = diff (bits 5..0), b5 = wc (bits 6..0).
 * Register: b4 = chip address, b5 = register address.
 */
export const REPLY_LENGTH = 7;
