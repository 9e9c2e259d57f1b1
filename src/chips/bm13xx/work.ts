import { crc16False } from '../common/crc';

/**
 * BM1366 job (chips.md §5.4, SRC E): `55 AA 21 56 <82 data bytes> crc16 hi lo` (88 bytes, CRC16
 * over bytes 2..85). Data: job_id, num_midstates = 1, starting_nonce[4], nbits[4], ntime[4],
 * merkle_root[32], prev_block_hash[32], version[4]. kabosu drives the BM1366 only in the simulator
 * (it is a SHA-256 chip); the fields are copied in header byte order (our choice, src/chips/README.md).
 * Job ids on the wire are slot x 8 (replies carry job id in b7 & 0xF8).
 */
export const WORK_LENGTH = 88;
export const REPLY_LENGTH = 11;
export const JOB_SLOTS = 16;

export function encodeWork(jobId: number, header76: Uint8Array): Buffer {
  if (header76.length < 76) throw new RangeError(`BM1366 job needs 76 header bytes, got ${header76.length}`);
  const h = header76;
  const out = Buffer.alloc(WORK_LENGTH);
  out[0] = 0x55;
  out[1] = 0xaa;
  out[2] = 0x21;
  out[3] = 0x56;
  out[4] = ((jobId % JOB_SLOTS) * 8) & 0x7f;
  out[5] = 1;
  // 6..9 starting nonce = 0
  out.set(h.subarray(72, 76), 10); // nbits
  out.set(h.subarray(68, 72), 14); // ntime
  out.set(h.subarray(36, 68), 18); // merkle root
  out.set(h.subarray(4, 36), 50); // prev block hash
  out.set(h.subarray(0, 4), 82); // version
  out.writeUInt16BE(crc16False(out.subarray(2, 86)), 86);
  return out;
}

export function decodeWork(frame: Buffer): { jobId: number; header76: Buffer } {
  const h = Buffer.alloc(76);
  frame.copy(h, 72, 10, 14);
  frame.copy(h, 68, 14, 18);
  frame.copy(h, 36, 18, 50);
  frame.copy(h, 4, 50, 82);
  frame.copy(h, 0, 82, 86);
  return { jobId: (frame[4] & 0x7f) >> 3, header76: h };
}
