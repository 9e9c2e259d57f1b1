/**
 * The framed PIC API's bytes (PIC software >= 0x80, the L7's PIC1704; chips.md §10.2), pure:
 * request `55 AA len cmd data... sum_hi sum_lo`, len = data + 4, sum = 16-bit sum of len, cmd
 * and data, big-endian. Write commands answer `[cmd, 0x01]`; data commands
 * `[len, cmd, data..., sum_hi, sum_lo]`.
 */
export function encodeFramed(cmd: number, data: readonly number[] = []): number[] {
  const len = data.length + 4;
  const sum = [len, cmd, ...data].reduce((s, x) => s + (x & 0xff), 0) & 0xffff;
  return [0x55, 0xaa, len & 0xff, cmd & 0xff, ...data.map((x) => x & 0xff), sum >> 8, sum & 0xff];
}

export type FramedReply = { ok: true; data: number[] } | { ok: false; problem: string };

/** Checks a write command's acknowledgement `[cmd, 0x01]`. */
export function parseAck(cmd: number, bytes: ArrayLike<number>): FramedReply {
  if (bytes.length < 2) return { ok: false, problem: `short ack (${bytes.length} bytes)` };
  if (bytes[0] !== cmd || bytes[1] !== 0x01) return { ok: false, problem: `bad ack ${hex(bytes[0])} ${hex(bytes[1])} for command ${hex(cmd)}` };
  return { ok: true, data: [] };
}

/** Parses a data reply for `cmd` with `dataBytes` data bytes; never throws. */
export function parseDataReply(cmd: number, dataBytes: number, bytes: ArrayLike<number>): FramedReply {
  const len = dataBytes + 4;
  if (bytes.length < len) return { ok: false, problem: `short reply (${bytes.length} of ${len} bytes)` };
  if (bytes[0] !== len) return { ok: false, problem: `reply length ${hex(bytes[0])}, expected ${hex(len)}` };
  if (bytes[1] !== cmd) return { ok: false, problem: `reply to ${hex(bytes[1])}, expected ${hex(cmd)}` };
  let sum = 0;
  for (let i = 0; i < len - 2; i++) sum += bytes[i] & 0xff;
  const got = ((bytes[len - 2] & 0xff) << 8) | (bytes[len - 1] & 0xff);
  if ((sum & 0xffff) !== got) return { ok: false, problem: `reply checksum ${hex(got)}, computed ${hex(sum & 0xffff)}` };
  return { ok: true, data: Array.from({ length: dataBytes }, (_, i) => bytes[2 + i] & 0xff) };
}

function hex(v: number | undefined): string {
  return v === undefined ? '--' : `0x${(v & 0xff).toString(16).padStart(2, '0')}`;
}
