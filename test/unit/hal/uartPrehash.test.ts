/**
 * LinuxUart's reader thread (native/src/uart_reader.cc through hal UartPrehash): it hands JS
 * every byte verbatim and in order, hashes nonce frames exactly as src/pow does (scrypt and
 * scrypt-sim), delivers at once what JS must act on and holds ticket-level nonces for lazyMs.
 * Real PTYs stand in for the chain UART; the frames are the chip families' own encoders.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createPtyTransport } from '../../../src/hal/sim/ptyTransport';
import { LinuxUart } from '../../../src/hal/linux/uart';
import type { PrehashedNonce } from '../../../src/hal/types';
import { getChipFamily } from '../../../src/chips';
import { ReplyStream } from '../../../src/chips/responseParser';
import type { ChipFamilyId } from '../../../src/chips/types';
import { headerWithNonce } from '../../../src/chips/common/header';
import { scryptNodeSync } from '../../helpers/scryptSync';
import { scryptSimHash, scryptSimNonce } from '../../../src/pow/scryptSim';
import { SCRYPT_DIFF1_TARGET, bigIntToHashLE } from '../../../src/pow/targets';

const ZERO = Buffer.alloc(32);
const ONES = Buffer.alloc(32, 0xff);

interface Got {
  bytes: Buffer[];
  pre: PrehashedNonce[];
  at: number[];
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function rig(fam: ChipFamilyId, pow: 'scrypt' | 'scrypt-sim', lazyMs: number) {
  const t = createPtyTransport();
  const uart = await LinuxUart.open(t.path, 115200);
  const family = getChipFamily(fam);
  const got: Got = { bytes: [], pre: [], at: [] };
  uart.on('data', (b: Buffer, pre?: PrehashedNonce[]) => {
    got.bytes.push(b);
    got.at.push(performance.now());
    if (pre) got.pre.push(...pre);
  });
  uart.prehash!.enable(family.replyFrameSpec, pow, lazyMs);
  return {
    t,
    uart,
    family,
    got,
    total: () => Buffer.concat(got.bytes).length,
    close: async () => {
      await uart.close();
      await t.close();
    },
  };
}

for (const fam of ['bm1485', 'bm1489', 'bm1366'] as ChipFamilyId[]) {
  test(`${fam}: nonce frames are hashed with real scrypt against the registered header, bytes verbatim`, async () => {
    const r = await rig(fam, 'scrypt', 20);
    try {
      const header = randomBytes(80);
      // every frame urgent: the urgent target is all ones
      r.uart.prehash!.setJob(5, header.subarray(0, 76), ONES, 77);
      const nonces = [0x12345678, 0xdeadbeef, 0x00000001];
      const frames = nonces.map((n) => r.family.encodeReply({ kind: 'nonce', nonce: n, jobId: 5, diff: 0 }));
      for (const f of frames) r.t.link.send(f);
      await until(() => r.got.pre.length === 3);
      assert.equal(Buffer.concat(r.got.bytes), Buffer.concat(frames));
      for (let i = 0; i < 3; i++) {
        const p = r.got.pre[i];
        assert.is(p.nonce, nonces[i] >>> 0);
        assert.is(p.wireJobId, 5);
        assert.is(p.gen, 77);
        assert.ok(p.urgent);
        assert.equal(Buffer.from(p.hash), scryptNodeSync(headerWithNonce(header, nonces[i])), `hash of nonce ${i}`);
        assert.ok(p.readAt <= performance.now() && p.readAt > performance.now() - 3000);
      }
    } finally {
      await r.close();
    }
  });
}

test('scrypt-sim: the reader computes the same hash as src/pow (valid nonces at several shifts, and wrong check bytes)', async () => {
  const r = await rig('bm1485', 'scrypt-sim', 5);
  try {
    const header = randomBytes(80);
    r.uart.prehash!.setJob(9, header.subarray(0, 76), ONES, 1);
    const base = scryptNodeSync(headerWithNonce(header, 0));
    const nonces: number[] = [];
    for (let k = 0; k < 12; k++) {
      const target = SCRYPT_DIFF1_TARGET / BigInt(1 + k * 977);
      nonces.push(scryptSimNonce(base, { fixedMask: 0xfff00000, fixedValue: (k << 20) >>> 0, target, salt: k }));
    }
    nonces.push(0x00aa0011, 0xffffffff, 0);
    for (const n of nonces) r.t.link.send(r.family.encodeReply({ kind: 'nonce', nonce: n, jobId: 9, diff: 0 }));
    await until(() => r.got.pre.length === nonces.length);
    r.got.pre.forEach((p, i) => assert.equal(Buffer.from(p.hash), scryptSimHash(base, nonces[i]), `nonce ${nonces[i].toString(16)}`));
  } finally {
    await r.close();
  }
});

test('ticket-level nonces wait up to lazyMs; a nonce meeting the urgent target, a register reply and noise go at once', async () => {
  const r = await rig('bm1485', 'scrypt', 400);
  try {
    const header = randomBytes(80);
    r.uart.prehash!.setJob(1, header.subarray(0, 76), ZERO, 1); // nothing is urgent
    const t0 = performance.now();
    r.t.link.send(r.family.encodeReply({ kind: 'nonce', nonce: 0x01020304, jobId: 1, diff: 0 }));
    await until(() => r.total() > 0);
    assert.ok(r.got.at[0] - t0 >= 300, `held for lazyMs (delivered after ${(r.got.at[0] - t0).toFixed(0)} ms)`);
    assert.is(r.got.pre.length, 1);
    assert.not.ok(r.got.pre[0].urgent);

    // a register reply is delivered at once (the driver waits for it)
    const t1 = performance.now();
    r.t.link.send(r.family.encodeReply({ kind: 'register', chip: 0, reg: 0, value: 0x14850000 }));
    await until(() => r.got.bytes.length === 2);
    assert.ok(r.got.at[1] - t1 < 300, 'register reply not held');

    // a nonce meeting the urgent target goes at once and flushes the held ones before it
    r.uart.prehash!.setJob(2, header.subarray(0, 76), ONES, 2);
    r.t.link.send(r.family.encodeReply({ kind: 'nonce', nonce: 0x0a0b0c0d, jobId: 1, diff: 0 }));
    await new Promise((res) => setTimeout(res, 30));
    const t2 = performance.now();
    r.t.link.send(r.family.encodeReply({ kind: 'nonce', nonce: 0x11111111, jobId: 2, diff: 0 }));
    await until(() => r.got.pre.length === 3);
    assert.ok(performance.now() - t2 < 300, 'urgent nonce not held');
    assert.is(r.got.bytes.length, 3, 'the held nonce and the urgent one arrive together');
    assert.not.ok(r.got.pre[1].urgent);
    assert.ok(r.got.pre[2].urgent);

    // noise (a whole frame's length that is no frame): delivered at once, verbatim
    // Noise that frames as noise, also together with the frame sent after it: with a 1-in-32
    // CRC5, a window across the noise's tail and the next frame can pass, and then neither
    // framer (JS's or the reader's) sees that frame (the reader then holds its short rest).
    const unknownJob = r.family.encodeReply({ kind: 'nonce', nonce: 0x22222222, jobId: 100, diff: 0 });
    const framesOf = (b: Buffer) => new ReplyStream(r.family).push(b);
    const framesCleanly = (n: Buffer): boolean => {
      const f = framesOf(Buffer.concat([n, unknownJob]));
      return framesOf(n).length === 0 && f.length === 1 && f[0].kind === 'nonce' && f[0].nonce === 0x22222222;
    };
    let noise = randomBytes(7);
    while (r.family.parseReply(noise)?.ok !== false || !framesCleanly(noise)) noise = randomBytes(7);
    const before = r.total();
    r.t.link.send(noise);
    await until(() => r.total() === before + noise.length, 250);
    assert.equal(r.got.bytes[r.got.bytes.length - 1], noise);

    // a nonce for a job id the reader has no header for: at once, without a record
    const n = r.got.pre.length;
    r.t.link.send(unknownJob);
    const len = r.got.bytes.length;
    await until(() => r.got.bytes.length === len + 1, 250);
    assert.is(r.got.pre.length, n);
  } finally {
    await r.close();
  }
});

test('a share read together with tickets is handed over before the tickets read behind it are hashed', async () => {
  const r = await rig('bm1489', 'scrypt', 300);
  try {
    const header = randomBytes(80);
    r.uart.prehash!.setJob(1, header.subarray(0, 76), ZERO, 1); // tickets: never urgent
    r.uart.prehash!.setJob(2, header.subarray(0, 76), ONES, 2); // shares: always urgent
    const ticket = (n: number) => r.family.encodeReply({ kind: 'nonce', nonce: n, jobId: 1, diff: 0 });
    const before = ticket(0x100);
    const share = r.family.encodeReply({ kind: 'nonce', nonce: 0x200, jobId: 2, diff: 0 });
    const behind = Array.from({ length: 20 }, (_x, i) => ticket(0x300 + i));
    // One write: the reader reads the share and the 20 tickets behind it at once (or in pieces).
    r.t.link.send(Buffer.concat([before, share, ...behind]));
    await until(() => r.got.pre.length === 22, 3000);
    // The first delivery ends exactly at the share's frame: nothing behind it was hashed first.
    assert.equal(r.got.bytes[0], Buffer.concat([before, share]));
    assert.equal(r.got.pre.slice(0, 2).map((p) => [p.nonce, p.urgent]), [[0x100, false], [0x200, true]]);
    assert.ok(r.got.bytes.length >= 2, 'the tickets behind it came in a later delivery');
    assert.equal(Buffer.concat(r.got.bytes), Buffer.concat([before, share, ...behind]), 'every byte once, in order');
    assert.equal(r.got.pre.slice(2).map((p) => p.nonce), behind.map((_b, i) => 0x300 + i));
  } finally {
    await r.close();
  }
});

test('seeded stream of frames, noise and split writes: every byte arrives once, in order; hashes match their frames', async () => {
  const r = await rig('bm1489', 'scrypt', 10);
  try {
    const header = randomBytes(80);
    const target = bigIntToHashLE(SCRYPT_DIFF1_TARGET);
    r.uart.prehash!.setJob(3, header.subarray(0, 76), target, 3);
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const parts: Buffer[] = [];
    const sent: number[] = [];
    for (let i = 0; i < 60; i++) {
      if (rnd() < 0.2) parts.push(randomBytes(1 + Math.floor(rnd() * 5)));
      const nonce = Math.floor(rnd() * 2 ** 32) >>> 0;
      sent.push(nonce);
      parts.push(r.family.encodeReply({ kind: 'nonce', nonce, jobId: 3, diff: 0 }));
    }
    const all = Buffer.concat(parts);
    for (let o = 0; o < all.length; ) {
      const n = 1 + Math.floor(rnd() * 20);
      r.t.link.send(all.subarray(o, o + n));
      o += n;
      if (rnd() < 0.3) await new Promise((res) => setTimeout(res, 1));
    }
    await until(() => r.total() === all.length);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(Buffer.concat(r.got.bytes), all);
    // noise may hide a frame from the reader (JS verifies those itself); every record it made is right
    assert.ok(r.got.pre.length >= 50, `records for most frames (${r.got.pre.length}/60)`);
    for (const p of r.got.pre) {
      assert.ok(sent.includes(p.nonce));
      assert.equal(Buffer.from(p.hash), scryptNodeSync(headerWithNonce(header, p.nonce)));
    }
  } finally {
    await r.close();
  }
});

test('disable() goes back to the event-loop poller; close() stops the thread; a hostile spec is refused', async () => {
  const r = await rig('bm1485', 'scrypt', 1000);
  try {
    assert.ok(r.uart.prehash!.isEnabled());
    r.uart.prehash!.disable();
    assert.not.ok(r.uart.prehash!.isEnabled());
    r.t.link.send(Buffer.from([1, 2, 3]));
    await until(() => r.total() === 3);
    assert.is(r.got.pre.length, 0);
    assert.throws(() => r.uart.prehash!.enable({ ...r.family.replyFrameSpec, length: 1000 }, 'scrypt', 10), /frame spec out of range/);
    assert.throws(() => r.uart.prehash!.enable({ ...r.family.replyFrameSpec, nonceOffset: 5 }, 'scrypt', 10), /frame spec out of range/);
  } finally {
    await r.close();
  }
});

test.run();
