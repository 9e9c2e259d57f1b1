/**
 * A hash board's serial from its identity EEPROM (AT24C02, kabosu's layout, board/README.md):
 * 'K' 'B' magic at 0x00, the serial as NUL-padded ASCII at 0x24..0x43, CRC-16/CCITT-FALSE over
 * 0x00..0xFD at 0xFE (big-endian). Tuning profiles are keyed by it so a swapped board is
 * recognised. Null when the EEPROM is absent, blank, or fails its CRC (the profile then falls
 * back to the slot). Until src/hashboard reads board identities, tuning reads the serial here.
 */
import { crc16False } from '../chips/common/crc';
import type { I2cBus } from '../hal/types';

export async function readBoardSerial(bus: I2cBus, address: number): Promise<string | null> {
  try {
    const parts: Buffer[] = [];
    for (let off = 0; off < 256; off += 32) parts.push(await bus.readBlock(address, off, 32));
    return serialFromImage(Buffer.concat(parts));
  } catch {
    return null;
  }
}

/** Parses a 256-byte EEPROM image; null unless magic and CRC hold and the serial is printable. */
export function serialFromImage(img: Uint8Array): string | null {
  if (img.length < 256 || img[0] !== 0x4b || img[1] !== 0x42) return null;
  const b = Buffer.from(img.subarray(0, 256));
  if (crc16False(b.subarray(0, 0xfe)) !== b.readUInt16BE(0xfe)) return null;
  const raw = b.subarray(0x24, 0x44);
  const end = raw.indexOf(0);
  const s = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  return s.length > 0 && /^[\x21-\x7e]+$/.test(s) ? s : null;
}
