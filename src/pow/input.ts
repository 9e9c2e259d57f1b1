import { KabosuError } from '../core/errors';

export class PowInputError extends KabosuError {}

/** Checks an 80-byte block header. */
export function checkHeader(header: Uint8Array, what = 'header'): void {
  if (!(header instanceof Uint8Array)) throw new PowInputError('KBS_E_POW_INPUT', `${what} must be bytes`);
  if (header.length !== 80) {
    throw new PowInputError('KBS_E_POW_INPUT', `${what} must be 80 bytes, got ${header.length}`, {
      hint: 'a block header is version(4) prevhash(32) merkle(32) ntime(4) nbits(4) nonce(4)',
    });
  }
}

/** Parses an 80-byte header from hex (160 hex digits, optional 0x). */
export function headerFromHex(hex: string): Buffer {
  const clean = hex.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new PowInputError('KBS_E_POW_INPUT', 'header is not hex', { hint: 'pass 160 hex digits' });
  if (clean.length !== 160) {
    throw new PowInputError('KBS_E_POW_INPUT', `header must be 160 hex digits (80 bytes), got ${clean.length}`, { hint: 'pass the whole 80-byte header' });
  }
  return Buffer.from(clean, 'hex');
}

export function checkBatch(headers: readonly Uint8Array[], targets: readonly bigint[]): void {
  if (headers.length !== targets.length) {
    throw new PowInputError('KBS_E_POW_INPUT', `verify needs one target per header (${headers.length} headers, ${targets.length} targets)`);
  }
  headers.forEach((h, i) => checkHeader(h, `headers[${i}]`));
  targets.forEach((t, i) => {
    if (typeof t !== 'bigint' || t < 0n || t >= 1n << 256n) throw new PowInputError('KBS_E_POW_INPUT', `targets[${i}] must be a 256-bit unsigned integer`);
  });
}
