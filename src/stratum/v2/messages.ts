/**
 * The SV2 common and mining messages kabosu speaks, one row per message, fields in wire order,
 * exactly as sv2-spec 03-Protocol-Overview.md §3.6 and 05-Mining-Protocol.md §5.3 list them
 * (stratum.md §3.7, §3.8). `encodeMessage` / `decodeMessage` walk these rows; nothing else knows
 * the layouts. `channelMsg` is bit 15 of extension_type (stratum.md §3.3: SRI and the message
 * table agree on the MSB, the spec prose says "least significant bit").
 */
import { bad, Reader, writeField, type FieldType, type FieldValue } from './types';

export interface MessageSpec { type: number; name: string; channelMsg: boolean; fields: readonly (readonly [string, FieldType])[] }

export const MESSAGES = [
  { type: 0x00, name: 'SetupConnection', channelMsg: false, fields: [['protocol', 'U8'], ['minVersion', 'U16'], ['maxVersion', 'U16'], ['flags', 'U32'], ['endpointHost', 'STR0_255'], ['endpointPort', 'U16'], ['vendor', 'STR0_255'], ['hardwareVersion', 'STR0_255'], ['firmware', 'STR0_255'], ['deviceId', 'STR0_255']] },
  { type: 0x01, name: 'SetupConnectionSuccess', channelMsg: false, fields: [['usedVersion', 'U16'], ['flags', 'U32']] },
  { type: 0x02, name: 'SetupConnectionError', channelMsg: false, fields: [['flags', 'U32'], ['errorCode', 'STR0_255']] },
  { type: 0x04, name: 'Reconnect', channelMsg: false, fields: [['newHost', 'STR0_255'], ['newPort', 'U16']] },
  { type: 0x10, name: 'OpenStandardMiningChannel', channelMsg: false, fields: [['requestId', 'U32'], ['userIdentity', 'STR0_255'], ['nominalHashRate', 'F32'], ['maxTarget', 'U256']] },
  { type: 0x11, name: 'OpenStandardMiningChannelSuccess', channelMsg: false, fields: [['requestId', 'U32'], ['channelId', 'U32'], ['target', 'U256'], ['extranoncePrefix', 'B0_32'], ['groupChannelId', 'U32']] },
  { type: 0x12, name: 'OpenMiningChannelError', channelMsg: false, fields: [['requestId', 'U32'], ['errorCode', 'STR0_255']] },
  { type: 0x15, name: 'NewMiningJob', channelMsg: true, fields: [['channelId', 'U32'], ['jobId', 'U32'], ['minNtime', 'OPTION_U32'], ['version', 'U32'], ['merkleRoot', 'U256']] },
  { type: 0x16, name: 'UpdateChannel', channelMsg: true, fields: [['channelId', 'U32'], ['nominalHashRate', 'F32'], ['maximumTarget', 'U256']] },
  { type: 0x17, name: 'UpdateChannelError', channelMsg: true, fields: [['channelId', 'U32'], ['errorCode', 'STR0_255']] },
  { type: 0x18, name: 'CloseChannel', channelMsg: true, fields: [['channelId', 'U32'], ['reasonCode', 'STR0_255']] },
  { type: 0x1a, name: 'SubmitSharesStandard', channelMsg: true, fields: [['channelId', 'U32'], ['sequenceNumber', 'U32'], ['jobId', 'U32'], ['nonce', 'U32'], ['ntime', 'U32'], ['version', 'U32']] },
  { type: 0x1c, name: 'SubmitSharesSuccess', channelMsg: true, fields: [['channelId', 'U32'], ['lastSequenceNumber', 'U32'], ['newSubmitsAcceptedCount', 'U32'], ['newSharesSum', 'U64']] },
  { type: 0x1d, name: 'SubmitSharesError', channelMsg: true, fields: [['channelId', 'U32'], ['sequenceNumber', 'U32'], ['errorCode', 'STR0_255']] },
  { type: 0x20, name: 'SetNewPrevHash', channelMsg: true, fields: [['channelId', 'U32'], ['jobId', 'U32'], ['prevHash', 'U256'], ['minNtime', 'U32'], ['nbits', 'U32']] },
  { type: 0x21, name: 'SetTarget', channelMsg: true, fields: [['channelId', 'U32'], ['maximumTarget', 'U256']] },
] as const satisfies readonly MessageSpec[];

type Spec = (typeof MESSAGES)[number];
type TypeOf<T extends FieldType> = T extends 'BOOL' ? boolean : T extends 'U64' ? bigint : T extends 'U256' | 'B0_32' | 'B0_255' ? Buffer
  : T extends 'STR0_255' ? string : T extends 'OPTION_U32' ? number | null : number;
type FieldsOf<F extends readonly (readonly [string, FieldType])[]> = { [K in F[number] as K[0]]: TypeOf<K[1]> };
export type MessageName = Spec['name'];
export type Fields<N extends MessageName> = FieldsOf<Extract<Spec, { name: N }>['fields']>;
export type Sv2Message = { [N in MessageName]: { name: N; fields: Fields<N> } }[MessageName];

const BY_NAME = new Map<string, MessageSpec>(MESSAGES.map((m) => [m.name, m]));
const BY_TYPE = new Map<number, MessageSpec>(MESSAGES.map((m) => [m.type, m]));

export function messageSpec(name: MessageName): MessageSpec { return BY_NAME.get(name)!; }
export function specForType(type: number): MessageSpec | undefined { return BY_TYPE.get(type); }

/** Payload bytes of a message (no frame header); RangeError if a field does not fit its type. */
export function encodePayload<N extends MessageName>(name: N, fields: Fields<N>): Buffer {
  const spec = BY_NAME.get(name);
  if (!spec) throw new RangeError(`unknown SV2 message ${name}`);
  const f = fields as unknown as Record<string, FieldValue>;
  return Buffer.concat(spec.fields.map(([k, t]) => writeField(t, f[k], `${name}.${k}`)));
}

/** Message from a known type's payload; ProtocolError KBS_E_SV2_BAD_MESSAGE on short, long or invalid bytes. */
export function decodePayload(spec: MessageSpec, payload: Buffer): Sv2Message {
  const r = new Reader(payload, spec.name);
  const fields: Record<string, FieldValue> = {};
  for (const [k, t] of spec.fields) fields[k] = r.read(t, k);
  // No extensions are negotiated, so no TLV may follow (spec §3.4.3).
  if (r.pos !== payload.length) bad(`${spec.name}: ${payload.length - r.pos} unexpected bytes after the last field`);
  return { name: spec.name, fields } as Sv2Message;
}
