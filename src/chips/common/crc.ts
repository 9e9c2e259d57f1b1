/**
 * CRCs shared by every Bitmain dialect (chips.md §2.2).
 * CRC5: x^5 + x^2 + 1, register initialised to 0x1F, MSB-first bit-serial, no reflection, no final
 * XOR, over a *bit count* (Bitmain `CRC5(buf, bits)`): replies cover 51 bits, commands whole bytes.
 * CRC16: CCITT-FALSE (poly 0x1021, init 0xFFFF), sent high byte first.
 */
export function crc5Bits(buf: Uint8Array, bitCount: number): number {
  let reg = 0x1f;
  for (let i = 0; i < bitCount; i++) {
    const bit = (buf[i >> 3] >> (7 - (i & 7))) & 1;
    const fb = ((reg >> 4) & 1) ^ bit;
    reg = (reg << 1) & 0x1f;
    if (fb) reg ^= 0x05;
  }
  return reg;
}

/** CRC5 over whole bytes (command frames). */
export function crc5(buf: Uint8Array): number {
  return crc5Bits(buf, buf.length * 8);
}

const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16False(buf: Uint8Array): number {
  let crc = 0xffff;
  for (let i = 0; i < buf.length; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ buf[i]) & 0xff];
  return crc;
}
