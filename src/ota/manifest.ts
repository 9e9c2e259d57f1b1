import { OtaError } from './errors';
import { isVersion } from './version';

/**
 * The signed part of a bundle (docs/ota.md): what it is, what it may be installed on, and the
 * size and sha256 of every payload that follows it. Parsed at the boundary (bounded, every field
 * checked), then trusted. Pure.
 */
export type PayloadKind = 'app' | 'rootfs';

export interface PayloadEntry {
  /** `app`: a file of the app slot (`file` names it); `rootfs`: a root-filesystem image. */
  kind: PayloadKind;
  /** File name inside the slot (app) or the image's name (rootfs): [A-Za-z0-9._-], no leading dot. */
  file: string;
  size: number;
  sha256: string;
  /** Unix mode of an app file (0o755 for the executable). */
  mode: number;
}

export interface Manifest {
  format: 1;
  version: string;
  buildId: string;
  /** Node's process.arch of the controller it runs on: arm, arm64, x64. */
  arch: string;
  /** Board models (board/<id>.json, hashboards.model) it may be installed on. */
  boards: string[];
  /** The oldest running version this bundle may replace (migrations it relies on). */
  minFromVersion: string;
  createdAt: string;
  payloads: PayloadEntry[];
}

/** The largest manifest text accepted (a real one is under 2 KiB). */
export const MAX_MANIFEST_BYTES = 16 * 1024;
export const MAX_PAYLOADS = 16;
/** 4 GiB: no payload of a miner's SD card is larger; keeps sizes exact in a double. */
export const MAX_PAYLOAD_BYTES = 2 ** 32;
export const APP_EXECUTABLE = 'kabosu';

const malformed = (what: string): OtaError => new OtaError('malformed', `bundle manifest: ${what}`, 'rebuild the bundle with `kabosu ota build`');
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
const BOARD_RE = /^[a-z0-9_-]{1,32}$/;
const ARCHES = ['arm', 'arm64', 'x64'];

function str(o: Record<string, unknown>, k: string, re: RegExp, what: string): string {
  const v = o[k];
  if (typeof v !== 'string' || !re.test(v)) throw malformed(`${k} must be ${what}`);
  return v;
}

export function parseManifest(text: string): Manifest {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) throw malformed(`over ${MAX_MANIFEST_BYTES} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('not an object');
  const o = v as Record<string, unknown>;
  if (o.format !== 1) throw malformed(`unknown format ${JSON.stringify(o.format)?.slice(0, 20)} (this firmware reads format 1)`);
  if (!isVersion(o.version)) throw malformed('version must be a semver MAJOR.MINOR.PATCH[-PRE]');
  if (!isVersion(o.minFromVersion)) throw malformed('minFromVersion must be a semver version');
  const buildId = str(o, 'buildId', /^[A-Za-z0-9._+-]{1,64}$/, '1..64 of [A-Za-z0-9._+-]');
  const arch = o.arch;
  if (typeof arch !== 'string' || !ARCHES.includes(arch)) throw malformed(`arch must be one of ${ARCHES.join(', ')}`);
  const createdAt = str(o, 'createdAt', /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,12}Z$/, 'an ISO time (UTC)');
  if (!Array.isArray(o.boards) || o.boards.length < 1 || o.boards.length > 32 || !o.boards.every((b) => typeof b === 'string' && BOARD_RE.test(b))) throw malformed('boards must be 1..32 board ids');
  if (!Array.isArray(o.payloads) || o.payloads.length < 1 || o.payloads.length > MAX_PAYLOADS) throw malformed(`payloads must list 1..${MAX_PAYLOADS} entries`);
  const payloads = o.payloads.map((p, i) => parsePayload(p, i));
  const files = new Set(payloads.map((p) => `${p.kind}/${p.file}`));
  if (files.size !== payloads.length) throw malformed('two payloads with the same name');
  const app = payloads.filter((p) => p.kind === 'app');
  if (app.length > 0 && !app.some((p) => p.file === APP_EXECUTABLE)) throw malformed(`an app payload must contain the executable "${APP_EXECUTABLE}"`);
  if (payloads.filter((p) => p.kind === 'rootfs').length > 1) throw malformed('at most one rootfs image');
  return { format: 1, version: o.version, buildId, arch, boards: o.boards as string[], minFromVersion: o.minFromVersion, createdAt, payloads };
}

function parsePayload(p: unknown, i: number): PayloadEntry {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw malformed(`payloads[${i}] is not an object`);
  const o = p as Record<string, unknown>;
  if (o.kind !== 'app' && o.kind !== 'rootfs') throw malformed(`payloads[${i}].kind must be "app" or "rootfs"`);
  const file = str(o, 'file', NAME_RE, 'a plain file name');
  if (typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size < 0 || o.size > MAX_PAYLOAD_BYTES) throw malformed(`payloads[${i}].size must be an integer 0..${MAX_PAYLOAD_BYTES}`);
  const sha256 = str(o, 'sha256', /^[0-9a-f]{64}$/, '64 lower-case hex digits');
  const mode = o.mode === undefined ? 0o644 : o.mode;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) throw malformed(`payloads[${i}].mode must be a file mode 0..0o777`);
  return { kind: o.kind, file, size: o.size, sha256, mode };
}

export function payloadBytes(m: Manifest): number {
  return m.payloads.reduce((a, p) => a + p.size, 0);
}
