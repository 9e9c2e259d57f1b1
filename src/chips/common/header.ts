/**
 * Scrypt header byte order on the wire (chips.md §5.1): chips get the 80-byte header with its
 * 32-bit *word order* reversed (bytes inside a word kept in header order). A returned nonce's
 * four wire bytes go verbatim into header bytes 76..79; the nonce "as a number" is those bytes
 * read big-endian.
 */
export function reverseWords(src: Uint8Array): Buffer {
  if (src.length % 4 !== 0) throw new RangeError(`word reversal needs a multiple of 4 bytes, got ${src.length}`);
  const out = Buffer.allocUnsafe(src.length);
  const words = src.length / 4;
  for (let w = 0; w < words; w++) out.set(src.subarray(w * 4, w * 4 + 4), (words - 1 - w) * 4);
  return out;
}

/** The 80-byte header with `nonce` (chip number order) at bytes 76..79. */
export function headerWithNonce(header: Uint8Array, nonce: number): Buffer {
  const h = Buffer.alloc(80);
  h.set(header.subarray(0, 76), 0);
  h.writeUInt32BE(nonce >>> 0, 76);
  return h;
}
