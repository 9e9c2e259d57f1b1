/**
 * The encrypted frame layer (spec §4.6, stratum.md §3.6): each frame is Encrypt(header6) (22
 * bytes), then the payload in plaintext chunks of at most 65,519 bytes, each + 16-byte tag; AD is
 * empty. `msg_length` is the plaintext length. Every encrypt/decrypt uses the next nonce.
 * `FrameDecryptor.push(bytes)` yields whole frames; a bad tag throws KBS_E_SV2_DECRYPT (the
 * stream cannot be resynchronised: the caller drops the connection).
 */
import { decodeHeader, encodeHeader, SV2_FRAME_HEADER_SIZE, type FrameHeader } from './frame';
import { ProtocolError } from '../../core/errors';
import { MAC_LEN, type CipherState } from './noise';

export const ENCRYPTED_HEADER_SIZE = SV2_FRAME_HEADER_SIZE + MAC_LEN; // 22
export const MAX_CHUNK_PLAINTEXT = 65535 - MAC_LEN; // 65519
const EMPTY = new Uint8Array(0);

export function encryptedLength(plainLength: number): number {
  return plainLength + MAC_LEN * Math.ceil(plainLength / MAX_CHUNK_PLAINTEXT);
}

/** Encrypts one plaintext frame (6-byte header ‖ payload). */
export function encryptFrame(cs: CipherState, frame: Buffer): Buffer {
  const parts = [cs.encrypt(EMPTY, frame.subarray(0, SV2_FRAME_HEADER_SIZE))];
  for (let i = SV2_FRAME_HEADER_SIZE; i < frame.length; i += MAX_CHUNK_PLAINTEXT) {
    parts.push(cs.encrypt(EMPTY, frame.subarray(i, Math.min(frame.length, i + MAX_CHUNK_PLAINTEXT))));
  }
  return Buffer.concat(parts);
}

export interface PlainFrame { header: FrameHeader; payload: Buffer }

export class FrameDecryptor {
  private buf: Buffer = Buffer.alloc(0);
  private header: FrameHeader | undefined;
  constructor(private readonly cs: CipherState, private readonly maxPayload = 1 << 20) {}
  push(chunk: Buffer): PlainFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: PlainFrame[] = [];
    for (;;) {
      if (!this.header) {
        if (this.buf.length < ENCRYPTED_HEADER_SIZE) break;
        const h = decodeHeader(this.cs.decrypt(EMPTY, this.buf.subarray(0, ENCRYPTED_HEADER_SIZE), 'frame header'));
        this.buf = this.buf.subarray(ENCRYPTED_HEADER_SIZE);
        if (h.msgLength > this.maxPayload) {
          throw new ProtocolError('KBS_E_SV2_FRAME_TOO_LARGE', `frame of ${h.msgLength} bytes exceeds the ${this.maxPayload}-byte limit`);
        }
        this.header = h;
      }
      const need = encryptedLength(this.header.msgLength);
      if (this.buf.length < need) break;
      const parts: Buffer[] = [];
      for (let i = 0; i < need; i += MAX_CHUNK_PLAINTEXT + MAC_LEN) {
        parts.push(this.cs.decrypt(EMPTY, this.buf.subarray(i, Math.min(need, i + MAX_CHUNK_PLAINTEXT + MAC_LEN)), 'frame payload'));
      }
      out.push({ header: this.header, payload: Buffer.concat(parts) });
      this.buf = this.buf.subarray(need);
      this.header = undefined;
    }
    return out;
  }
}

export { encodeHeader };
