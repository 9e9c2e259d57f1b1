/**
 * Stratum V2 fuzzing (fast-check, FC_SEED to replay): every message in the codec table round-trips
 * for arbitrary field values; arbitrary and mutated payloads decode or fail with a ProtocolError,
 * never anything else; the encrypted frame layer round-trips any frames under any chunking, and
 * a flipped bit anywhere in the ciphertext is refused (KBS_E_SV2_DECRYPT).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fc from 'fast-check';
import { isKabosuError } from '../../src/core/errors';
import { decodePayload, encodePayload, MESSAGES, type MessageName } from '../../src/stratum/v2/messages';
import { decodeFrame, decodeHeader, encodeFrame } from '../../src/stratum/v2/frame';
import type { FieldType } from '../../src/stratum/v2/types';
import { CipherState } from '../../src/stratum/v2/noise';
import { encryptFrame, FrameDecryptor } from '../../src/stratum/v2/transport';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const params = { seed, numRuns: 300 };
console.log(`fuzz seed ${seed} (FC_SEED to replay)`);

/** A plain-object record of one message's fields (fast-check records have a null prototype). */
const fieldsArb = (spec: (typeof MESSAGES)[number]) => fc.record(Object.fromEntries(spec.fields.map(([k, t]) => [k, ARB[t]])) as Record<string, fc.Arbitrary<unknown>>).map((o) => ({ ...o }));
const u = (bits: number) => fc.integer({ min: 0, max: 2 ** bits - 1 });
const utf8Max = (n: number) => fc.string({ unit: 'binary', maxLength: n }).filter((s) => Buffer.byteLength(s, 'utf8') <= n);
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const ARB: Record<FieldType, fc.Arbitrary<unknown>> = {
  BOOL: fc.boolean(), U8: u(8), U16: u(16), U24: u(24), U32: fc.nat({ max: 0xffffffff }),
  U64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  F32: fc.float({ noNaN: true }), U256: bytes(32, 32), STR0_255: utf8Max(255), B0_32: bytes(0, 32), B0_255: bytes(0, 255),
  OPTION_U32: fc.option(fc.nat({ max: 0xffffffff }), { nil: null }),
};

for (const spec of MESSAGES) {
  test(`${spec.name}: decode(encode(fields)) === fields for arbitrary values; every strict prefix is refused`, () => {
    fc.assert(fc.property(fieldsArb(spec), (fields) => {
      const payload = encodePayload(spec.name as MessageName, fields as never);
      const back = decodePayload(spec, payload);
      assert.equal(back.fields, fields);
      const frame = encodeFrame(spec.name as MessageName, fields as never);
      const d = decodeFrame(decodeHeader(frame.subarray(0, 6)), frame.subarray(6));
      assert.ok(d.kind === 'message' && d.msg.name === spec.name);
      for (const cut of [0, payload.length >> 1, payload.length - 1].filter((c) => c >= 0 && c < payload.length)) {
        assert.throws(() => decodePayload(spec, payload.subarray(0, cut)), (e: unknown) => isKabosuError(e) && e.code === 'KBS_E_SV2_BAD_MESSAGE');
      }
      assert.throws(() => decodePayload(spec, Buffer.concat([payload, Buffer.from([0])])), /unexpected bytes/);
    }), params);
  });
}

test('random payloads for every known type: a message or a ProtocolError, never another exception', () => {
  fc.assert(fc.property(fc.constantFrom(...MESSAGES), bytes(0, 300), (spec, payload) => {
    try { decodePayload(spec, payload); } catch (e) { if (!isKabosuError(e)) throw e; }
  }), params);
});

test('random frames (any header): decodeFrame gives message, unknown or ProtocolError', () => {
  fc.assert(fc.property(u(16), u(8), bytes(0, 200), (ext, type, payload) => {
    try {
      decodeFrame({ extensionType: ext, msgType: type, msgLength: payload.length }, payload);
    } catch (e) { if (!isKabosuError(e)) throw e; }
  }), params);
});

const key = Buffer.alloc(32, 7);
const frameArb = fc.array(fc.constantFrom(...MESSAGES).chain((spec) => fieldsArb(spec).map((f) => encodeFrame(spec.name as MessageName, f as never))), { minLength: 1, maxLength: 8 });

test('encrypted frames: any frames, any chunking -> the same plaintext frames in order', () => {
  fc.assert(fc.property(frameArb, fc.array(fc.nat(300), { maxLength: 12 }), (frames, cuts) => {
    const tx = new CipherState(key); const rx = new FrameDecryptor(new CipherState(key));
    const wire = Buffer.concat(frames.map((f) => encryptFrame(tx, f)));
    const got: Buffer[] = [];
    let pos = 0;
    for (const c of cuts) { for (const f of rx.push(wire.subarray(pos, pos + c))) got.push(Buffer.concat([encodeHeaderOf(f), f.payload])); pos = Math.min(wire.length, pos + c); }
    for (const f of rx.push(wire.subarray(pos))) got.push(Buffer.concat([encodeHeaderOf(f), f.payload]));
    assert.equal(got.map((b) => b.toString('hex')), frames.map((b) => b.toString('hex')));
  }), params);
});

test('encrypted frames: one flipped bit anywhere is refused with KBS_E_SV2_DECRYPT, never accepted', () => {
  fc.assert(fc.property(frameArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (frames, at, bit) => {
    const tx = new CipherState(key); const rx = new FrameDecryptor(new CipherState(key));
    const wire = Buffer.concat(frames.map((f) => encryptFrame(tx, f)));
    wire[at % wire.length] ^= 1 << bit;
    let refused = false;
    try { rx.push(wire); } catch (e) { refused = isKabosuError(e) && e.code === 'KBS_E_SV2_DECRYPT'; if (!refused) throw e; }
    assert.ok(refused, 'a tampered stream must not decrypt');
  }), params);
});

function encodeHeaderOf(f: { header: { extensionType: number; msgType: number; msgLength: number } }): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16LE(f.header.extensionType, 0); b[2] = f.header.msgType; b.writeUIntLE(f.header.msgLength, 3, 3);
  return b;
}

test.run();
