import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getChipFamily, HostStream, ReplyStream } from '../../../src/chips';

// BM1485 nonce reply from test/vectors/chips/frames.json (chips.md §2.2)
const REPLY = Buffer.from('50123456001287', 'hex');
const bm1485 = getChipFamily('bm1485');

test('a reply split into single bytes is emitted once, when its last byte arrives', () => {
  const s = new ReplyStream(bm1485);
  for (let i = 0; i < REPLY.length - 1; i++) assert.equal(s.push(REPLY.subarray(i, i + 1)), []);
  assert.is(s.pending, REPLY.length - 1);
  const out = s.push(REPLY.subarray(REPLY.length - 1));
  assert.equal(out, [{ kind: 'nonce', nonce: 0x50123456, diff: 0, jobId: 18 }]);
  assert.equal(s.counts, { frames: 1, badCrc: 0, badHeader: 0, bytesDiscarded: 0, shortFrames: 0, rejectRuns: 0 });
});

test('a reply with a bad CRC is counted and skipped; the next good one is recovered', () => {
  const s = new ReplyStream(bm1485);
  const bad = Buffer.from(REPLY);
  bad[6] ^= 0x01; // CRC5 bits
  const out = s.push(Buffer.concat([bad, REPLY]));
  assert.is(out.length, 1);
  assert.is(s.counts.frames, 1);
  assert.ok(s.counts.badCrc >= 1, 'bad CRC counted');
  assert.is(s.counts.bytesDiscarded, 7, 'exactly the damaged frame is dropped');
  assert.is(s.counts.rejectRuns, 1, 'one damaged frame, one run of rejections');
});

test('a truncated frame left behind is counted as short on flush, and the stream starts clean', () => {
  const s = new ReplyStream(bm1485);
  s.push(REPLY.subarray(0, 4));
  assert.is(s.pending, 4);
  s.flush();
  assert.is(s.counts.shortFrames, 1);
  assert.is(s.counts.bytesDiscarded, 4);
  assert.is(s.pending, 0);
  assert.is(s.push(REPLY).length, 1);
  s.flush();
  assert.is(s.counts.shortFrames, 1, 'flush of an empty buffer counts nothing');
});

test('BM1489 replies behind garbage resync on the AA 55 preamble; header rejects are counted', () => {
  const fam = getChipFamily('bm1489');
  const r = fam.encodeReply({ kind: 'register', chip: 4, reg: 0, value: 0x14897504 });
  const s = new ReplyStream(fam);
  const junk = Buffer.from([0x00, 0x13, 0xaa, 0x00, 0x55]);
  const out = s.push(Buffer.concat([junk, r, junk, r]));
  assert.equal(out, [
    { kind: 'register', chip: 4, reg: 0, value: 0x14897504 },
    { kind: 'register', chip: 4, reg: 0, value: 0x14897504 },
  ]);
  assert.is(s.counts.bytesDiscarded, 2 * junk.length);
  assert.is(s.counts.badCrc + s.counts.badHeader, 2 * junk.length);
  assert.is(s.counts.rejectRuns, 2);
});

test('the chip-side stream parses a stream of host commands and work back to back', () => {
  for (const id of ['bm1485', 'bm1489', 'bm1366'] as const) {
    const fam = getChipFamily(id);
    const header76 = Buffer.from(Array.from({ length: 76 }, (_, i) => i));
    const frames = [
      fam.encodeHost({ kind: 'chainInactive' }),
      fam.encodeHost({ kind: 'setAddress', address: 6 }),
      fam.encodeHost({ kind: 'work', jobId: id === 'bm1366' ? 8 : 3, header76 }),
      fam.encodeHost({ kind: 'readReg', broadcast: false, chip: 6, reg: 0x1c }),
    ];
    const s = new HostStream(fam);
    const got = s.push(Buffer.concat(frames));
    assert.equal(got.map((f) => f.kind), ['chainInactive', 'setAddress', 'work', 'readReg'], id);
    const w = got[2];
    assert.ok(w.kind === 'work' && w.header76.equals(header76), `${id}: work header round-trips`);
    assert.is(s.counts.bytesDiscarded, 0, id);
  }
});

test.run();
