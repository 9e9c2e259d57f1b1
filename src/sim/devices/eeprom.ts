/**
 * AT24C02-class EEPROM (256 bytes, 8-bit word address, 8-byte write pages that wrap, sequential
 * reads that wrap at the end) holding a board identity. The L7 layout is not recovered
 * (chips.md §10.4), so kabosu defines its own, written here and documented in board/README.md:
 *   0x00 'K' 'B'  magic       0x02 layout version (1)
 *   0x04..0x23    model, ASCII, NUL padded (32 bytes)
 *   0x24..0x43    serial, ASCII, NUL padded (32 bytes)
 *   0x44          chip family index (0 bm1485, 1 bm1489, 2 bm1366)
 *   0x45          chips per chain
 *   0x46..0x47    stock frequency MHz, big-endian
 *   0x48..0x49    stock voltage mV, big-endian
 *   0xFE..0xFF    CRC-16/CCITT-FALSE over 0x00..0xFD, big-endian
 */
import { DeviceRefused } from '../../hal/sim/i2c';
import type { I2cWireDevice } from '../../hal/sim/i2c';

export const EEPROM_SIZE = 256;
const PAGE = 8;
const FAMILIES = ['bm1485', 'bm1489', 'bm1366'] as const;

export interface BoardIdentity {
  model: string;
  serial: string;
  chipFamily: (typeof FAMILIES)[number];
  chipsPerChain: number;
  stockFreqMHz: number;
  stockVoltageMv: number;
}

export class At24c02 implements I2cWireDevice {
  readonly bytes = Buffer.alloc(EEPROM_SIZE, 0xff);
  private pointer = 0;
  present = true;

  constructor(identity?: BoardIdentity) {
    if (identity) this.bytes.set(encodeIdentity(identity));
  }

  write(data: Uint8Array): void {
    if (!this.present) throw new DeviceRefused('device absent');
    if (data.length === 0) return;
    this.pointer = data[0]!;
    const pageBase = this.pointer & ~(PAGE - 1);
    let offset = this.pointer - pageBase;
    for (let i = 1; i < data.length; i++) {
      this.bytes[pageBase + offset] = data[i]!;
      offset = (offset + 1) % PAGE; // page write wraps inside the page (AT24C02 datasheet)
    }
  }

  read(length: number): Buffer {
    if (!this.present) throw new DeviceRefused('device absent');
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) {
      out[i] = this.bytes[this.pointer]!;
      this.pointer = (this.pointer + 1) % EEPROM_SIZE;
    }
    return out;
  }
}

export function encodeIdentity(id: BoardIdentity): Buffer {
  const b = Buffer.alloc(EEPROM_SIZE, 0xff);
  b.write('KB', 0, 'ascii');
  b[2] = 1;
  b[3] = 0;
  writeString(b, 0x04, 32, id.model);
  writeString(b, 0x24, 32, id.serial);
  b[0x44] = FAMILIES.indexOf(id.chipFamily);
  b[0x45] = id.chipsPerChain & 0xff;
  b.writeUInt16BE(Math.round(id.stockFreqMHz) & 0xffff, 0x46);
  b.writeUInt16BE(Math.round(id.stockVoltageMv) & 0xffff, 0x48);
  b.writeUInt16BE(crc16(b.subarray(0, 0xfe)), 0xfe);
  return b;
}

/** Parses an identity image; null when the magic, version or CRC do not match. */
export function decodeIdentity(b: Uint8Array): BoardIdentity | null {
  if (b.length !== EEPROM_SIZE) return null;
  const buf = Buffer.from(b);
  if (buf.toString('ascii', 0, 2) !== 'KB' || buf[2] !== 1) return null;
  if (crc16(buf.subarray(0, 0xfe)) !== buf.readUInt16BE(0xfe)) return null;
  const family = FAMILIES[buf[0x44]!];
  if (!family) return null;
  return {
    model: readString(buf, 0x04, 32),
    serial: readString(buf, 0x24, 32),
    chipFamily: family,
    chipsPerChain: buf[0x45]!,
    stockFreqMHz: buf.readUInt16BE(0x46),
    stockVoltageMv: buf.readUInt16BE(0x48),
  };
}

function writeString(b: Buffer, at: number, len: number, s: string): void {
  b.fill(0, at, at + len);
  b.write(s.slice(0, len), at, 'ascii');
}

function readString(b: Buffer, at: number, len: number): string {
  const raw = b.subarray(at, at + len);
  const end = raw.indexOf(0);
  return raw.toString('ascii', 0, end < 0 ? len : end);
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as the chips' CRC16 (chips.md §2.2). */
export function crc16(data: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
