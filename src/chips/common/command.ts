import { crc5 } from './crc';
import type { HostFrame } from '../types';

/** Command header bytes (chips.md §2.1). */
export const HDR = { setAddress: 0x40, write: 0x41, read: 0x42, chainInactive: 0x53, broadcast: 0x10 } as const;

/** Command header, chip and register bytes for a non-work host frame. */
export function commandBody(f: Exclude<HostFrame, { kind: 'work' }>): { hdr: number; chip: number; reg: number; value?: number } {
  switch (f.kind) {
    case 'setAddress':
      return { hdr: HDR.setAddress, chip: f.address & 0xff, reg: 0 };
    case 'chainInactive':
      return { hdr: HDR.chainInactive, chip: 0, reg: 0 };
    case 'readReg':
      return { hdr: HDR.read | (f.broadcast ? HDR.broadcast : 0), chip: f.chip & 0xff, reg: f.reg & 0xff };
    case 'writeReg':
      return { hdr: HDR.write | (f.broadcast ? HDR.broadcast : 0), chip: f.chip & 0xff, reg: f.reg & 0xff, value: f.value >>> 0 };
  }
}

/** hdr | len | chip | reg | [value BE] | crc5 over the preceding bytes. `lenOf(dataLen)` is the dialect's length byte. */
export function encodeCommand(f: Exclude<HostFrame, { kind: 'work' }>, lenOf: (n: number) => number): Buffer {
  const b = commandBody(f);
  const n = b.value === undefined ? 5 : 9;
  const out = Buffer.alloc(n);
  out[0] = b.hdr;
  out[1] = lenOf(n);
  out[2] = b.chip;
  out[3] = b.reg;
  if (b.value !== undefined) out.writeUInt32BE(b.value, 4);
  out[n - 1] = crc5(out.subarray(0, n - 1));
  return out;
}

/** Decodes a command whose bytes (no preamble) are `b`, CRC already checked. Null if the header is no command. */
export function decodeCommand(b: Buffer): Exclude<HostFrame, { kind: 'work' }> | null {
  const hdr = b[0];
  const broadcast = (hdr & HDR.broadcast) !== 0;
  switch (hdr & 0xef) {
    case HDR.setAddress:
      return broadcast || b.length !== 5 ? null : { kind: 'setAddress', address: b[2] };
    case HDR.chainInactive & 0xef:
      return broadcast && b.length === 5 ? { kind: 'chainInactive' } : null;
    case HDR.read:
      return b.length === 5 ? { kind: 'readReg', broadcast, chip: b[2], reg: b[3] } : null;
    case HDR.write:
      return b.length === 9 ? { kind: 'writeReg', broadcast, chip: b[2], reg: b[3], value: b.readUInt32BE(4) } : null;
    default:
      return null;
  }
}

/** Command length for a header byte, or 0 when the header is not a command. */
export function commandLength(hdr: number): number {
  const base = hdr & 0xef;
  if (hdr === HDR.chainInactive || base === HDR.read || hdr === HDR.setAddress) return 5;
  if (base === HDR.write) return 9;
  return 0;
}
