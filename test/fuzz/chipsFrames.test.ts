import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { CHIP_FAMILIES, getChipFamily, HostStream, ReplyStream, type ChipReply } from '../../src/chips';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const params = { seed, numRuns: 300 };
const onFail = (e: unknown) => {
  console.error(`FUZZ_SEED=${seed}`);
  throw e;
};

const reply = fc.oneof(
  fc.record({ kind: fc.constant('nonce' as const), nonce: fc.integer({ min: 0, max: 0xffffffff }), jobId: fc.integer({ min: 0, max: 15 }), diff: fc.constant(0) }),
  fc.record({ kind: fc.constant('register' as const), chip: fc.integer({ min: 0, max: 255 }), reg: fc.integer({ min: 0, max: 255 }), value: fc.integer({ min: 0, max: 0xffffffff }) }),
);

for (const id of CHIP_FAMILIES) {
  test(`${id}: random bytes never throw in either parser, and every rejected byte is counted`, () => {
    const fam = getChipFamily(id);
    try {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 8 }), (chunks) => {
          const r = new ReplyStream(fam);
          const h = new HostStream(fam);
          let total = 0;
          let taken = 0;
          for (const c of chunks) {
            total += c.length;
            taken += r.push(c).length * fam.replyLength;
            h.push(c);
          }
          r.flush();
          h.flush();
          // every byte is either in an accepted frame or counted as discarded
          assert.is(taken + r.counts.bytesDiscarded, total);
        }),
        params,
      );
    } catch (e) {
      onFail(e);
    }
  });

  test(`${id}: valid replies split anywhere and mixed with garbage are recovered; damaged ones are counted`, () => {
    const fam = getChipFamily(id);
    try {
      fc.assert(
        fc.property(fc.array(reply, { minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 3 }), fc.integer({ min: 1, max: 13 }), (rs, junk, cut) => {
          const frames = rs.map((r) => fam.encodeReply(r as ChipReply));
          const bytes = Buffer.concat([Buffer.from(junk), ...frames]);
          const s = new ReplyStream(fam);
          const out: ChipReply[] = [];
          for (let i = 0; i < bytes.length; i += cut) out.push(...s.push(bytes.subarray(i, i + cut)));
          const hex = (x: ChipReply) => fam.encodeReply(x).toString('hex');
          const want = rs.map((x) => hex(x as ChipReply));
          const got = out.map(hex);
          if (junk.length === 0) assert.equal(got, want);
          s.flush();
          // damage is never silent: a stream that lost or changed frames counted discarded bytes
          if (got.join() !== want.join()) assert.ok(s.counts.bytesDiscarded > 0);
          // with a preamble, junk at the front costs at most the first frame. BM1485 has no
          // preamble (chips.md §2.4): a junk-shifted window can pass CRC5 (1 in 32), so there
          // only the counting property holds; the host catches such frames by verification.
          const k = rs.length - 1;
          if (id !== 'bm1485' && k > 0) assert.equal(got.slice(got.length - k), want.slice(want.length - k));
        }),
        params,
      );
    } catch (e) {
      onFail(e);
    }
  });

  test(`${id}: a host frame with one flipped bit is never accepted as a different frame`, () => {
    const fam = getChipFamily(id);
    try {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffffffff }), fc.nat(), (chip, reg, value, bitSeed) => {
          const b = fam.encodeHost({ kind: 'writeReg', broadcast: false, chip, reg, value });
          const bit = bitSeed % (b.length * 8);
          const m = Buffer.from(b);
          m[bit >> 3] ^= 0x80 >> (bit & 7);
          const s = new HostStream(fam);
          const got = s.push(m);
          s.flush();
          // either rejected (and counted), or - for the CRC byte's unused top bits - the same frame
          if (got.length === 0) assert.ok(s.counts.bytesDiscarded > 0);
          else assert.equal(got, [{ kind: 'writeReg', broadcast: false, chip, reg, value: value >>> 0 }]);
        }),
        params,
      );
    } catch (e) {
      onFail(e);
    }
  });
}

test.run();
