import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc16False, crc5 } from '../../../src/chips/common/crc';
import { getChipFamily, CHIP_FAMILIES, type ChipReply, type HostFrame } from '../../../src/chips';
import vectors from '../../vectors/chips/frames.json';

const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');

test('BM13xx command vectors from ESP-Miner encode byte for byte and parse back', () => {
  const fam = getChipFamily('bm1366');
  for (const v of vectors.bm1366Commands) {
    const f = v.frame as HostFrame;
    assert.equal(fam.encodeHost(f).toString('hex'), hex(v.hex).toString('hex'), v.hex);
    const p = fam.parseHost(hex(v.hex));
    assert.ok(p && p.ok, v.hex);
    if (p && p.ok) assert.equal(p.frame, f);
  }
});

test('BM1489 uses the BM13xx command framing (same bytes)', () => {
  const fam = getChipFamily('bm1489');
  for (const v of vectors.bm1366Commands) assert.equal(fam.encodeHost(v.frame as HostFrame).toString('hex'), hex(v.hex).toString('hex'));
});

test('BM1485 command vectors from the stock L3+ driver encode byte for byte and parse back', () => {
  const fam = getChipFamily('bm1485');
  for (const v of vectors.bm1485Commands) {
    const f = v.frame as HostFrame;
    assert.equal(fam.encodeHost(f).toString('hex'), hex(v.hex).toString('hex'), v.hex);
    const p = fam.parseHost(hex(v.hex));
    assert.ok(p && p.ok, v.hex);
    if (p && p.ok) assert.equal(p.frame, f);
  }
});

test('BM1485 nonce reply vector decodes (nonce, diff, work id, CRC5 over 51 bits)', () => {
  const fam = getChipFamily('bm1485');
  for (const v of vectors.bm1485Replies) {
    const p = fam.parseReply(hex(v.hex));
    assert.ok(p && p.ok);
    if (p && p.ok) assert.equal(p.frame, v.frame);
    assert.equal(fam.encodeReply(v.frame as ChipReply).toString('hex'), v.hex);
  }
});

test('a flipped bit in any command byte is rejected with a CRC or header error', () => {
  const fam = getChipFamily('bm1485');
  for (const v of vectors.bm1485Commands) {
    const b = hex(v.hex);
    for (let i = 0; i < b.length; i++) {
      const m = Buffer.from(b);
      m[i] ^= 0x04;
      const p = fam.parseHost(m);
      assert.ok(p === null || !p.ok || (p.ok && JSON.stringify(p.frame) !== JSON.stringify(v.frame)), `${v.hex} byte ${i}`);
    }
  }
});

test('CRC16 CCITT-FALSE check value and CRC5 of the chain-inactive frame', () => {
  assert.is(crc16False(Buffer.from('123456789')), 0x29b1);
  assert.is(crc5(hex('53040000')), 0x1b);
});

test('every family round-trips replies and work, and rejects a corrupted reply', () => {
  const header76 = Buffer.from(Array.from({ length: 76 }, (_, i) => (i * 7 + 3) & 0xff));
  for (const id of CHIP_FAMILIES) {
    const fam = getChipFamily(id);
    const replies: ChipReply[] = [
      { kind: 'nonce', nonce: 0xdeadbeef, jobId: 5, diff: 0 },
      { kind: 'register', chip: 42, reg: 0x08, value: 0x12345678 },
    ];
    for (const r of replies) {
      const b = fam.encodeReply(r);
      assert.is(b.length, fam.replyLength, id);
      const p = fam.parseReply(b);
      assert.ok(p && p.ok, id);
      if (p && p.ok) assert.equal(p.frame, r, id);
      const bad = Buffer.from(b);
      bad[bad.length - 2] ^= 0x10;
      const q = fam.parseReply(bad);
      assert.ok(q && !q.ok, `${id} corrupted reply accepted`);
    }
    const w = fam.encodeHost({ kind: 'work', jobId: 3, header76 });
    assert.is(w.length, fam.workLength, id);
    const p = fam.parseHost(w);
    assert.ok(p && p.ok, id);
    if (p && p.ok && p.frame.kind === 'work') {
      assert.is(p.frame.jobId, 3);
      assert.is(p.frame.header76.toString('hex'), header76.toString('hex'), id);
    }
  }
});

test('BM1485 work carries the header words in reversed order (H18..H0) with CRC16 high byte first', () => {
  const fam = getChipFamily('bm1485');
  const header76 = Buffer.from(Array.from({ length: 76 }, (_, i) => i));
  const w = fam.encodeHost({ kind: 'work', jobId: 0x92, header76 });
  assert.is(w.subarray(0, 4).toString('hex'), '20501200');
  assert.is(w.subarray(4, 8).toString('hex'), '48494a4b'); // H18 = header bytes 72..75
  assert.is(w.subarray(76, 80).toString('hex'), '00010203'); // H0
  assert.is(w.readUInt16BE(80), crc16False(w.subarray(0, 80)));
});

test('unknown family names the valid ones', () => {
  try {
    getChipFamily('bm9999');
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error & { hint: string }).hint, 'bm1485, bm1489, bm1366');
  }
});

test.run();
