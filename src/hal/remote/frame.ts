/**
 * Remote-hal framing and messages (pure, no I/O). A frame is a 4-byte big-endian payload length
 * followed by that many bytes of UTF-8 JSON. Frames are bounded (MAX_FRAME_BYTES) so a corrupt
 * or hostile peer cannot make the reader buffer without limit; every message is validated here
 * before anything else sees it.
 */
import { ProtocolError } from '../../core/errors';

export const MAX_FRAME_BYTES = 16 * 1024;
/** The largest I2C block a request may carry or ask for (SMBus block limit is 32; i2c-bus allows more). */
export const MAX_BLOCK_BYTES = 256;

/** Which I2C bus: a controller bus (board controller.i2cBuses index) or a chain's sensor bus. */
export type BusRef = { kind: 'ctrl'; index: number } | { kind: 'sensor'; chain: number; sensor: number };

export type I2cMethod = 'sendByte' | 'receiveByte' | 'readByte' | 'writeByte' | 'readWord' | 'writeWord' | 'readBlock' | 'writeBlock';

export type RemoteOp =
  | { op: 'describe' }
  | { op: 'i2c'; bus: BusRef; method: I2cMethod; addr: number; reg?: number; value?: number; length?: number; data?: number[] }
  | { op: 'gpio'; line: string; method: 'read' | 'write'; value?: 0 | 1 }
  | { op: 'pwm'; fan: number; duty: number }
  | { op: 'tach'; fan: number };

export type RemoteRequest = RemoteOp & { id: number };

/** What the server has: counts and line names, so a client can build its hal without config. */
export interface RemoteTopology {
  i2cBuses: number;
  /** Per chain: number of sensor buses. */
  sensorBuses: number[];
  gpio: string[];
  fans: number;
}

export type RemoteResponse =
  | { id: number; ok: true; value?: number | number[] | RemoteTopology }
  | { id: number; ok: false; code: string; error: string };

export function encodeFrame(msg: unknown): Buffer {
  // One buffer per frame (a dozen sensor reads every 250 ms go through here).
  const json = JSON.stringify(msg);
  const n = Buffer.byteLength(json, 'utf8');
  if (n > MAX_FRAME_BYTES) throw new ProtocolError('KBS_E_HAL_REMOTE_FRAME', `remote-hal frame of ${n} bytes exceeds ${MAX_FRAME_BYTES}`);
  const out = Buffer.allocUnsafe(4 + n);
  out.writeUInt32BE(n, 0);
  out.write(json, 4, 'utf8');
  return out;
}

/** Incremental frame reader: push socket chunks, get whole JSON payloads (unknown, unvalidated). */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Throws ProtocolError on an oversized length or invalid JSON; the connection is then unusable. */
  push(chunk: Buffer): unknown[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: unknown[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len > MAX_FRAME_BYTES) throw new ProtocolError('KBS_E_HAL_REMOTE_FRAME', `remote-hal frame length ${len} exceeds ${MAX_FRAME_BYTES}`, { hint: 'the peer is not a kabosu remote-hal endpoint, or the stream is corrupt' });
      if (this.buf.length < 4 + len) break;
      const body = this.buf.subarray(4, 4 + len).toString('utf8');
      this.buf = this.buf.subarray(4 + len);
      try {
        out.push(JSON.parse(body) as unknown);
      } catch (e) {
        throw new ProtocolError('KBS_E_HAL_REMOTE_FRAME', `remote-hal frame is not JSON: ${(e as Error).message}`, { cause: e });
      }
    }
    return out;
  }
}

const I2C_METHODS: readonly I2cMethod[] = ['sendByte', 'receiveByte', 'readByte', 'writeByte', 'readWord', 'writeWord', 'readBlock', 'writeBlock'];

function bad(msg: string): ProtocolError {
  return new ProtocolError('KBS_E_HAL_REMOTE_BAD_REQUEST', `bad remote-hal request: ${msg}`);
}

function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

function int(o: Record<string, unknown>, k: string, lo: number, hi: number): number {
  const v = o[k];
  if (!isInt(v, lo, hi)) throw bad(`${k} must be an integer in ${lo}..${hi}`);
  return v;
}

function parseBus(v: unknown): BusRef {
  if (!v || typeof v !== 'object') throw bad('bus must be an object');
  const b = v as Record<string, unknown>;
  if (b.kind === 'ctrl') return { kind: 'ctrl', index: int(b, 'index', 0, 255) };
  if (b.kind === 'sensor') return { kind: 'sensor', chain: int(b, 'chain', 0, 255), sensor: int(b, 'sensor', 0, 255) };
  throw bad("bus.kind must be 'ctrl' or 'sensor'");
}

/** Validates one decoded payload as a request. Throws ProtocolError (with the id when known). */
export function parseRequest(v: unknown): RemoteRequest {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('not an object');
  const o = v as Record<string, unknown>;
  const id = int(o, 'id', 0, 2 ** 31);
  switch (o.op) {
    case 'describe':
      return { id, op: 'describe' };
    case 'i2c': {
      const method = o.method as I2cMethod;
      if (!I2C_METHODS.includes(method)) throw bad(`unknown i2c method ${String(o.method)}`);
      const r: RemoteRequest = { id, op: 'i2c', bus: parseBus(o.bus), method, addr: int(o, 'addr', 0, 127) };
      if (method !== 'sendByte' && method !== 'receiveByte') r.reg = int(o, 'reg', 0, 255);
      if (method === 'sendByte' || method === 'writeByte') r.value = int(o, 'value', 0, 255);
      if (method === 'writeWord') r.value = int(o, 'value', 0, 0xffff);
      if (method === 'readBlock') r.length = int(o, 'length', 0, MAX_BLOCK_BYTES);
      if (method === 'writeBlock') {
        const d = o.data;
        if (!Array.isArray(d) || d.length > MAX_BLOCK_BYTES || !d.every((x) => isInt(x, 0, 255))) throw bad(`data must be at most ${MAX_BLOCK_BYTES} bytes`);
        r.data = d as number[];
      }
      return r;
    }
    case 'gpio': {
      if (typeof o.line !== 'string' || o.line.length === 0 || o.line.length > 64) throw bad('line must be a name');
      if (o.method === 'read') return { id, op: 'gpio', line: o.line, method: 'read' };
      if (o.method === 'write') return { id, op: 'gpio', line: o.line, method: 'write', value: int(o, 'value', 0, 1) as 0 | 1 };
      throw bad("gpio method must be 'read' or 'write'");
    }
    case 'pwm': {
      const duty = o.duty;
      if (typeof duty !== 'number' || !(duty >= 0 && duty <= 1)) throw bad('duty must be a number in 0..1');
      return { id, op: 'pwm', fan: int(o, 'fan', 0, 255), duty };
    }
    case 'tach':
      return { id, op: 'tach', fan: int(o, 'fan', 0, 255) };
    default:
      throw bad(`unknown op ${String(o.op)}`);
  }
}

/** Validates one decoded payload as a response. */
export function parseResponse(v: unknown): RemoteResponse {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('response is not an object');
  const o = v as Record<string, unknown>;
  const id = int(o, 'id', 0, 2 ** 31);
  if (o.ok === false) {
    if (typeof o.code !== 'string' || typeof o.error !== 'string') throw bad('error response needs code and error');
    return { id, ok: false, code: o.code.slice(0, 100), error: o.error.slice(0, 1000) };
  }
  if (o.ok !== true) throw bad('response ok must be a boolean');
  const val = o.value;
  if (val === undefined) return { id, ok: true };
  if (typeof val === 'number' && Number.isFinite(val)) return { id, ok: true, value: val };
  if (Array.isArray(val) && val.length <= MAX_BLOCK_BYTES && val.every((x) => isInt(x, 0, 255))) return { id, ok: true, value: val as number[] };
  if (val && typeof val === 'object') return { id, ok: true, value: parseTopology(val as Record<string, unknown>) };
  throw bad('response value has the wrong shape');
}

function parseTopology(t: Record<string, unknown>): RemoteTopology {
  const i2cBuses = int(t, 'i2cBuses', 0, 255);
  const fans = int(t, 'fans', 0, 255);
  const sb = t.sensorBuses;
  if (!Array.isArray(sb) || sb.length > 255 || !sb.every((x) => isInt(x, 0, 255))) throw bad('topology sensorBuses must be counts');
  const g = t.gpio;
  if (!Array.isArray(g) || g.length > 255 || !g.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 64)) throw bad('topology gpio must be names');
  return { i2cBuses, fans, sensorBuses: sb as number[], gpio: g as string[] };
}
