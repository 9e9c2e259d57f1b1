/**
 * SV2 frame = header(6) ‖ payload (spec §3.2, stratum.md §3.3):
 * `extension_type U16 | msg_type U8 | msg_length U24`, channel_msg = bit 15 of extension_type.
 */
import { bad } from './types';
import { decodePayload, encodePayload, messageSpec, specForType, type Fields, type MessageName, type Sv2Message } from './messages';

export const SV2_FRAME_HEADER_SIZE = 6;
export const CHANNEL_MSG_MASK = 0x8000;
export const MAX_PAYLOAD = 0xffffff;

export interface FrameHeader { extensionType: number; msgType: number; msgLength: number }

export function encodeHeader(h: FrameHeader): Buffer {
  const b = Buffer.alloc(SV2_FRAME_HEADER_SIZE);
  b.writeUInt16LE(h.extensionType, 0);
  b[2] = h.msgType;
  b.writeUIntLE(h.msgLength, 3, 3);
  return b;
}

export function decodeHeader(b: Buffer): FrameHeader {
  if (b.length !== SV2_FRAME_HEADER_SIZE) bad(`frame header must be 6 bytes, got ${b.length}`);
  return { extensionType: b.readUInt16LE(0), msgType: b[2], msgLength: b.readUIntLE(3, 3) };
}

/** A whole plaintext frame for a core (extension 0) message. */
export function encodeFrame<N extends MessageName>(name: N, fields: Fields<N>): Buffer {
  const spec = messageSpec(name);
  const payload = encodePayload(name, fields);
  return Buffer.concat([encodeHeader({ extensionType: spec.channelMsg ? CHANNEL_MSG_MASK : 0, msgType: spec.type, msgLength: payload.length }), payload]);
}

export type DecodedFrame = { kind: 'message'; msg: Sv2Message } | { kind: 'unknown'; header: FrameHeader };

/**
 * A frame's message. Unknown types and extensions are `unknown` (the spec says to ignore them);
 * a known type with bad bytes, or a channel bit that contradicts the table, is a ProtocolError.
 */
export function decodeFrame(header: FrameHeader, payload: Buffer): DecodedFrame {
  if (payload.length !== header.msgLength) bad(`frame says ${header.msgLength} payload bytes, got ${payload.length}`);
  const ext = header.extensionType & ~CHANNEL_MSG_MASK;
  const spec = ext === 0 ? specForType(header.msgType) : undefined;
  if (!spec) return { kind: 'unknown', header };
  if (((header.extensionType & CHANNEL_MSG_MASK) !== 0) !== spec.channelMsg) bad(`${spec.name}: channel_msg bit is ${spec.channelMsg ? 'clear' : 'set'}, the spec says ${spec.channelMsg ? 'set' : 'clear'}`);
  return { kind: 'message', msg: decodePayload(spec, payload) };
}
