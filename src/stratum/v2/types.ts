/**
 * SV2 data types (sv2-spec 03-Protocol-Overview.md §3.1, stratum.md §3.2): all little-endian.
 * Each type is a reader and a writer; messages.ts lists each message's fields as (name, type).
 */
import { ProtocolError } from '../../core/errors';

export type FieldType = 'BOOL' | 'U8' | 'U16' | 'U24' | 'U32' | 'U64' | 'F32' | 'U256' | 'STR0_255' | 'B0_32' | 'B0_255' | 'OPTION_U32';

/** The JS value of each type: U64 is a bigint, U256 and B0_* are Buffers, OPTION[U32] is number | null. */
export type FieldValue = boolean | number | bigint | string | Buffer | null;

export function bad(msg: string): never {
  throw new ProtocolError('KBS_E_SV2_BAD_MESSAGE', msg, { hint: 'the pool sent bytes that do not follow the SV2 spec; report it to the pool operator' });
}

export class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly what: string) {}
  need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) bad(`${this.what}.${field}: needs ${n} bytes at offset ${this.pos}, payload is ${this.buf.length}`);
  }
  read(t: FieldType, field: string): FieldValue {
    const b = this.buf;
    switch (t) {
      case 'BOOL': this.need(1, field); return (b[this.pos++] & 1) === 1;
      case 'U8': this.need(1, field); return b[this.pos++];
      case 'U16': this.need(2, field); this.pos += 2; return b.readUInt16LE(this.pos - 2);
      case 'U24': this.need(3, field); this.pos += 3; return b.readUIntLE(this.pos - 3, 3);
      case 'U32': this.need(4, field); this.pos += 4; return b.readUInt32LE(this.pos - 4);
      case 'U64': this.need(8, field); this.pos += 8; return b.readBigUInt64LE(this.pos - 8);
      case 'F32': this.need(4, field); this.pos += 4; return b.readFloatLE(this.pos - 4);
      case 'U256': this.need(32, field); this.pos += 32; return Buffer.from(b.subarray(this.pos - 32, this.pos));
      case 'STR0_255': case 'B0_32': case 'B0_255': {
        this.need(1, field);
        const n = b[this.pos++];
        if (t === 'B0_32' && n > 32) bad(`${this.what}.${field}: B0_32 length ${n} > 32`);
        this.need(n, field);
        const v = Buffer.from(b.subarray(this.pos, this.pos + n));
        this.pos += n;
        if (t !== 'STR0_255') return v;
        const s = v.toString('utf8');
        if (!Buffer.from(s, 'utf8').equals(v)) bad(`${this.what}.${field}: STR0_255 is not valid UTF-8`);
        return s;
      }
      case 'OPTION_U32': {
        this.need(1, field);
        const n = b[this.pos++];
        if (n === 0) return null;
        if (n !== 1) bad(`${this.what}.${field}: OPTION count ${n} is not 0 or 1`);
        this.need(4, field); this.pos += 4; return b.readUInt32LE(this.pos - 4);
      }
    }
  }
}

const isU = (v: unknown, bits: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** bits;

/** Bytes of one value; a RangeError naming the field when the value does not fit its type. */
export function writeField(t: FieldType, v: FieldValue, field: string): Buffer {
  const fail = (): never => { throw new RangeError(`${field}: ${String(v).slice(0, 80)} is not a valid ${t}`); };
  switch (t) {
    case 'BOOL': if (typeof v !== 'boolean') fail(); return Buffer.from([v ? 1 : 0]);
    case 'U8': if (!isU(v, 8)) fail(); return Buffer.from([v as number]);
    case 'U16': { if (!isU(v, 16)) fail(); const b = Buffer.alloc(2); b.writeUInt16LE(v as number); return b; }
    case 'U24': { if (!isU(v, 24)) fail(); const b = Buffer.alloc(3); b.writeUIntLE(v as number, 0, 3); return b; }
    case 'U32': { if (!isU(v, 32)) fail(); const b = Buffer.alloc(4); b.writeUInt32LE(v as number); return b; }
    case 'U64': { if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) fail(); const b = Buffer.alloc(8); b.writeBigUInt64LE(v as bigint); return b; }
    case 'F32': { if (typeof v !== 'number' || Number.isNaN(v)) fail(); const b = Buffer.alloc(4); b.writeFloatLE(v as number); return b; }
    case 'U256': if (!Buffer.isBuffer(v) || v.length !== 32) fail(); return Buffer.from(v as Buffer);
    case 'STR0_255': case 'B0_32': case 'B0_255': {
      const raw = t === 'STR0_255' ? (typeof v === 'string' ? Buffer.from(v, 'utf8') : fail()) : (Buffer.isBuffer(v) ? v : fail());
      if (raw.length > (t === 'B0_32' ? 32 : 255)) fail();
      return Buffer.concat([Buffer.from([raw.length]), raw]);
    }
    case 'OPTION_U32': {
      if (v === null) return Buffer.from([0]);
      if (!isU(v, 32)) fail();
      const b = Buffer.alloc(5); b[0] = 1; b.writeUInt32LE(v as number, 1); return b;
    }
  }
}
