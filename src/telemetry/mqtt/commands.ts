/**
 * Command payloads on `cmd/<name>`: parse (bounded, typed errors), authorise (allow-list and
 * optional ed25519 signatures with replay protection), execute through MinerControl.
 * Pure except `execute`, which only calls MinerControl; time is passed in.
 */
import { createPublicKey, verify, type KeyObject } from 'crypto';
import { KabosuError } from '../../core/errors';
import type { MinerControl } from '../../core/minerApi';

export const MAX_COMMAND_BYTES = 4096;

export type Command =
  | { name: 'pause'; reason: string }
  | { name: 'resume' }
  | { name: 'mining'; on: boolean }
  | { name: 'restart' }
  | { name: 'power_target'; watts: number | null }
  | { name: 'fan_mode'; mode: 'auto' | 'manual' | 'immersion'; duty_pct?: number }
  | { name: 'identify'; seconds: number }
  | { name: 'diagnostics' }
  | { name: 'switch_pool'; pool: string }
  | { name: 'status' }
  | { name: 'ota'; url: string; sha256: string };

export const COMMAND_NAMES = ['pause', 'resume', 'mining', 'restart', 'power_target', 'fan_mode', 'identify', 'diagnostics', 'switch_pool', 'status', 'ota'] as const;

export interface ParsedCommand {
  cmd: Command;
  transaction?: string | number;
  /** Present when the payload carried a signature block. */
  signed?: { ts: number; nonce: string; sig: string; body: string };
}

const bad = (msg: string, hint?: string): KabosuError => new KabosuError('KBS_E_TELEMETRY_BAD_COMMAND', msg, { hint });

/** Parses `payload` sent on cmd/<name>. Never throws anything but KabosuError. */
export function parseCommand(name: string, payload: Buffer | string): ParsedCommand {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (Buffer.byteLength(text) > MAX_COMMAND_BYTES) throw bad(`command payload over ${MAX_COMMAND_BYTES} bytes`);
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) throw new KabosuError('KBS_E_TELEMETRY_UNKNOWN_COMMAND', `unknown command ${JSON.stringify(name.slice(0, 64))}`, { hint: `one of ${COMMAND_NAMES.join(', ')}` });
  let o: Record<string, unknown> = {};
  if (text.trim() !== '') {
    let v: unknown;
    try { v = JSON.parse(text); } catch { throw bad('command payload is not JSON', 'send a JSON object, e.g. {"watts":1200}'); }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('command payload must be a JSON object');
    o = v as Record<string, unknown>;
  }
  const out: ParsedCommand = { cmd: buildCommand(name, o) };
  const t = o.transaction;
  if (t !== undefined) {
    if (!((typeof t === 'string' && t.length <= 64) || (typeof t === 'number' && Number.isFinite(t)))) throw bad('transaction must be a string (<=64) or number');
    out.transaction = t;
  }
  if (o.sig !== undefined) {
    const { sig, ...rest } = o;
    if (typeof sig !== 'string' || sig.length > 200) throw bad('sig must be base64 ed25519 signature');
    if (typeof o.ts !== 'number' || !Number.isFinite(o.ts)) throw bad('signed commands need ts (ms since epoch)');
    if (typeof o.nonce !== 'string' || o.nonce.length < 8 || o.nonce.length > 64) throw bad('signed commands need nonce (8..64 chars)');
    out.signed = { ts: o.ts, nonce: o.nonce, sig, body: `${name}\n${JSON.stringify(rest)}` };
  }
  return out;
}

function num(o: Record<string, unknown>, k: string, min: number, max: number): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw bad(`${k} must be a number in ${min}..${max}`);
  return v;
}

function buildCommand(name: string, o: Record<string, unknown>): Command {
  switch (name) {
    case 'pause': return { name, reason: typeof o.reason === 'string' ? o.reason.slice(0, 200) : 'mqtt' };
    case 'mining': {
      if (typeof o.on !== 'boolean') throw bad('mining needs {"on":true|false}');
      return { name, on: o.on };
    }
    case 'power_target': return { name, watts: o.watts === null ? null : num(o, 'watts', 1, 100000) };
    case 'fan_mode': {
      if (o.mode !== 'auto' && o.mode !== 'manual' && o.mode !== 'immersion') throw bad('mode must be auto, manual or immersion');
      return o.duty_pct === undefined ? { name, mode: o.mode } : { name, mode: o.mode, duty_pct: num(o, 'duty_pct', 0, 100) };
    }
    case 'identify': return { name, seconds: o.seconds === undefined ? 30 : num(o, 'seconds', 1, 3600) };
    case 'switch_pool': {
      if (typeof o.pool !== 'string' || !/^[A-Za-z0-9_.-]{1,32}$/.test(o.pool)) throw bad('switch_pool needs {"pool":"<name>"}');
      return { name, pool: o.pool };
    }
    case 'ota': {
      if (typeof o.url !== 'string' || o.url.length > 2048 || !/^https?:\/\/[^\s]+$/.test(o.url)) throw bad('ota needs {"url":"http(s)://...", "sha256":"<hex>"}');
      if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) throw bad('ota needs the bundle sha256 (64 lower-case hex digits)');
      return { name, url: o.url, sha256: o.sha256 };
    }
    default: return { name } as Command;
  }
}

export interface AuthPolicy {
  /** Command names accepted; `mining` also allows pause/resume. */
  allow: string[];
  /** Base64 raw 32-byte ed25519 public keys; when non-empty every command must be signed. */
  publicKeys: string[];
  maxSkewMs: number;
}

/** Remembers nonces for the skew window so a signed command cannot be replayed. */
export class ReplayGuard {
  private seen = new Map<string, number>();
  constructor(private readonly windowMs: number, private readonly max = 10000) {}
  /** True if fresh (and records it). */
  check(nonce: string, nowMs: number): boolean {
    for (const [n, at] of this.seen) { if (nowMs - at > 2 * this.windowMs || this.seen.size > this.max) this.seen.delete(n); else break; }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs);
    return true;
  }
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
export function ed25519Key(b64: string): KeyObject {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32) throw new KabosuError('KBS_E_TELEMETRY_BAD_KEY', 'ed25519 public key must be 32 bytes base64');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

const denied = (msg: string): KabosuError => new KabosuError('KBS_E_TELEMETRY_UNAUTHORISED', msg, { hint: 'see telemetry.mqtt.commands and signedCommands in the config' });

/** Throws KBS_E_TELEMETRY_UNAUTHORISED with the reason when the command may not run. */
export function authorise(p: ParsedCommand, policy: AuthPolicy, keys: KeyObject[], guard: ReplayGuard, nowMs: number): void {
  const n = p.cmd.name;
  const allowed = policy.allow.includes(n) || ((n === 'pause' || n === 'resume') && policy.allow.includes('mining')) || n === 'status';
  if (!allowed) throw denied(`command ${n} is not in the allow-list`);
  // An update names code to run: it is never taken unsigned, whatever the policy for the rest.
  if (n === 'ota' && keys.length === 0) throw denied('ota commands must be signed: set telemetry.mqtt.signedCommands.publicKeys');
  if (keys.length === 0) return;
  if (!p.signed) throw denied('commands must be signed (ed25519)');
  if (Math.abs(nowMs - p.signed.ts) > policy.maxSkewMs) throw denied('signed command timestamp outside the allowed window');
  const sig = Buffer.from(p.signed.sig, 'base64');
  const ok = sig.length === 64 && keys.some((k) => verify(null, Buffer.from(p.signed!.body), k, sig));
  if (!ok) throw denied('bad signature');
  if (!guard.check(p.signed.nonce, nowMs)) throw denied('replayed command (nonce already used)');
}

/** Runs the command; resolves with the reply data or rejects with the MinerControl error. */
export async function execute(c: Command, control: MinerControl): Promise<unknown> {
  switch (c.name) {
    case 'pause': return control.pause(c.reason);
    case 'resume': return control.resume();
    case 'mining': return c.on ? control.resume() : control.pause('mqtt');
    case 'restart': return control.restart();
    case 'power_target': return control.setPowerTarget(c.watts);
    case 'fan_mode': return control.setFanMode(c.mode, c.duty_pct);
    case 'identify': return control.identify(c.seconds);
    case 'diagnostics': return control.runDiagnostics();
    case 'switch_pool': return control.switchPool(c.pool);
    case 'status': { const s = control.status(); return { state: s.state, uptime_s: s.uptime_s, version: s.version }; }
    case 'ota': {
      if (!control.otaInstallUrl) throw new KabosuError('KBS_E_NOT_AVAILABLE', 'updates are not available in this build');
      return control.otaInstallUrl(c.url, c.sha256, 'mqtt');
    }
  }
}

/** The reply body (conventions 2.7): never a stack. */
export function replyPayload(result: { ok: true; data: unknown } | { ok: false; err: unknown }, transaction?: string | number): Record<string, unknown> {
  const tx = transaction === undefined ? {} : { transaction };
  if (result.ok) return { status: 'ok', data: result.data ?? null, ...tx };
  const e = result.err;
  if (e instanceof KabosuError) return { status: 'error', ...e.toJSON(), ...tx };
  return { status: 'error', code: 'KBS_E_INTERNAL', error: 'command failed', ...tx };
}
