import { KabosuError } from '../../core/errors';

/**
 * The sim-remote hal wire format: newline-delimited JSON over a unix socket (or TCP loopback).
 * Request `{id, op, target, args}`; reply `{id, ok: true, value}` or `{id, ok: false, code,
 * error}`. Buffers travel as base64. Lines are bounded (MAX_LINE); anything malformed is
 * refused with a typed error, never thrown past the parser.
 *   targets: i2c:<bus>  sensor:<chain>:<k>  gpio:reset:<n>  gpio:present:<n>  gpio:led:red|green
 *            gpio:beeper  pwm:<n>  tach:<n>  (op "describe" has no target)
 */
export const MAX_LINE = 64 * 1024;

export const OPS = ['describe', 'sendByte', 'receiveByte', 'readByte', 'writeByte', 'readWord', 'writeWord', 'readBlock', 'writeBlock', 'gpioRead', 'gpioWrite', 'setDuty', 'getDuty', 'readRpm'] as const;
export type Op = (typeof OPS)[number];

export interface Request {
  id: number;
  op: Op;
  target?: string;
  args: (number | string)[];
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; code: string; error: string };

/** What the far side serves: shapes the client needs to build its hal objects. */
export interface Describe {
  board: string;
  chains: number;
  i2cBuses: number;
  /** Per chain, how many sensor buses. */
  sensors: number[];
  reset: number;
  present: number;
  pwm: number;
  tach: number;
  beeper: boolean;
  /** PTY slave path per chain (transport pty), else []. */
  ptys: string[];
}

export class RemoteHalError extends KabosuError {}

const TARGET = /^(i2c:\d{1,3}|sensor:\d{1,3}:\d{1,3}|gpio:(reset|present):\d{1,3}|gpio:led:(red|green)|gpio:beeper|pwm:\d{1,3}|tach:\d{1,3})$/;

export function parseRequest(line: string): Request {
  if (line.length > MAX_LINE) throw new RemoteHalError('KBS_E_HAL_REMOTE_FRAME', `request over ${MAX_LINE} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new RemoteHalError('KBS_E_HAL_REMOTE_FRAME', 'request is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RemoteHalError('KBS_E_HAL_REMOTE_FRAME', 'request is not an object');
  const r = v as Record<string, unknown>;
  if (!Number.isSafeInteger(r.id) || (r.id as number) < 0) throw new RemoteHalError('KBS_E_HAL_REMOTE_FRAME', 'request id must be a non-negative integer');
  if (typeof r.op !== 'string' || !(OPS as readonly string[]).includes(r.op)) throw new RemoteHalError('KBS_E_HAL_REMOTE_OP', `unknown op ${JSON.stringify(r.op)?.slice(0, 40)}`);
  if (r.op !== 'describe' && (typeof r.target !== 'string' || !TARGET.test(r.target))) throw new RemoteHalError('KBS_E_HAL_REMOTE_TARGET', `bad target ${JSON.stringify(r.target)?.slice(0, 40)}`);
  const args = r.args ?? [];
  if (!Array.isArray(args) || args.length > 4 || !args.every((a) => (typeof a === 'number' && Number.isFinite(a)) || (typeof a === 'string' && a.length <= MAX_LINE))) {
    throw new RemoteHalError('KBS_E_HAL_REMOTE_FRAME', 'args must be up to 4 numbers or strings');
  }
  return { id: r.id as number, op: r.op as Op, target: r.target as string | undefined, args: args as (number | string)[] };
}

export function parseReply(line: string): Reply {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new RemoteHalError('KBS_E_HAL_REMOTE_FRAME', 'reply is not JSON');
  }
  const r = v as Record<string, unknown>;
  if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.id) || typeof r.ok !== 'boolean') throw new RemoteHalError('KBS_E_HAL_REMOTE_FRAME', 'malformed reply');
  if (r.ok) return { id: r.id as number, ok: true, value: r.value };
  return { id: r.id as number, ok: false, code: String(r.code ?? 'KBS_E_HAL_REMOTE'), error: String(r.error ?? 'remote error') };
}

/** Splits a stream into lines with a bound; an over-long line is reported and skipped. */
export class LineSplitter {
  private buf = '';
  private skipping = false;
  constructor(private readonly onLine: (line: string) => void, private readonly onOverflow: () => void) {}
  push(chunk: string): void {
    let data = chunk;
    for (;;) {
      const nl = data.indexOf('\n');
      if (nl < 0) {
        if (!this.skipping) this.buf += data;
        if (this.buf.length > MAX_LINE) {
          this.buf = '';
          this.skipping = true;
          this.onOverflow();
        }
        return;
      }
      const part = data.slice(0, nl);
      data = data.slice(nl + 1);
      if (this.skipping) {
        this.skipping = false;
        this.buf = '';
        continue;
      }
      const line = this.buf + part;
      this.buf = '';
      if (line.length > MAX_LINE) this.onOverflow();
      else if (line.trim()) this.onLine(line);
    }
  }
}
