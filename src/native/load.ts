import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { NativeError } from '../core/errors';
import type { ReplyFrameSpec } from '../hal/types';

/** What native/src/addon.cc exports. */
export interface KabosuAddon {
  scryptBatch(headers: Buffer, path?: string): Promise<Buffer>;
  scryptSync(headers: Buffer, path?: string): Buffer;
  paths(): { name: string; lanes: number }[];
  openpty(): { masterFd: number; slaveFd: number; slavePath: string };
  ttySpeed(fd: number): number;
  closeFd(fd: number): void;
  /** Opens and configures a tty (raw 8N1, flock, O_NONBLOCK): native/src/uart.cc. */
  uartOpen(path: string, baud: number): number;
  /** glibc malloc_trim(0): true when free heap pages went back to the kernel (native/src/memory.cc). */
  mallocTrim(): boolean;
  /** sched_setscheduler(2) on one thread of this process; false when it is gone (native/src/sched.cc). */
  setThreadPolicy?(tid: number, policy: 'normal' | 'batch' | 'idle'): boolean;
  /** One datagram to systemd's notification socket ($NOTIFY_SOCKET; native/src/sd_notify.cc). */
  sdNotify?(socket: string, message: string): boolean;
  uartSetBaud(fd: number, baud: number): void;
  UartPoller: new (fd: number, onData: (chunk: Buffer | null, why?: string) => void) => { stop(): void };
  /**
   * A chain UART read on its own thread that frames replies, hashes nonce frames and wakes the
   * event loop only when JS must act now (native/src/uart_reader.cc, src/hal/linux/uartReader.ts).
   */
  UartReader: new (fd: number, onData: (chunk: Buffer | null, records?: Buffer | string) => void, spec: NativeFrameSpec) => {
    stop(): void;
    setJob(wireJobId: number, header76: Buffer, urgentTarget: Buffer | null, gen: number): void;
  };
  abiVersion: number;
  /** SHA-256 used by PBKDF2 inside scrypt: "sha-ni" or "portable" (KABOSU_SHA256=portable forces it). */
  sha256Impl?(): string;
}

/** How the native UART reader frames a chip family's replies, and which PoW it hashes with. */
export type NativeFrameSpec = ReplyFrameSpec & { pow: 'scrypt' | 'scrypt-sim'; lazyMs: number };

let cached: { addon?: KabosuAddon; error?: NativeError } | undefined;

/**
 * Native addons carried inside a single executable (name -> base64), set by esbuild's `define`
 * in tools/build/sea.mjs; absent (a ReferenceError) when running from source or a plain bundle.
 * Node 20.11 (the newest armv7l Node on the registry) has no SEA assets, so the addon rides in
 * the main script instead.
 */
declare const KABOSU_EMBEDDED_ADDONS: Record<string, string>;
function embeddedAddons(): Record<string, string> | undefined {
  try {
    return KABOSU_EMBEDDED_ADDONS;
  } catch {
    return undefined;
  }
}

/**
 * Writes an embedded addon to a content-addressed file and returns its path, for
 * process.dlopen (which needs a file). The directory ($KABOSU_ADDON_DIR, else a per-user one in
 * the temp dir; it must allow exec) must be ours and closed to others, and a file already there
 * is used only if its bytes are the embedded ones, so nobody else's code gets loaded.
 */
export function extractEmbeddedAddon(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const b64 = embeddedAddons()?.[name];
  if (b64 === undefined) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  const digest = createHash('sha256').update(bytes).digest('hex');
  const dir = env.KABOSU_ADDON_DIR ? resolve(env.KABOSU_ADDON_DIR) : join(tmpdir(), `kabosu-addons-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a directory of this user closed to others`);
  }
  const file = join(dir, `${digest.slice(0, 16)}-${name}`);
  if (existsSync(file) && createHash('sha256').update(readFileSync(file)).digest('hex') === digest) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o500 });
  chmodSync(tmp, 0o500);
  renameSync(tmp, file);
  return file;
}

/** Where the loader looks on disk, in order (conventions 2.11). */
export function addonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list: string[] = [];
  if (env.KABOSU_ADDON) list.push(resolve(env.KABOSU_ADDON));
  list.push(join(dirname(process.execPath), 'addons', 'kabosu.node'));
  list.push(join(__dirname, 'addons', 'kabosu.node')); // beside the esbuild bundle (dist/)
  list.push(resolve(__dirname, '../../native/build/Release/kabosu.node')); // source checkout
  return list;
}

/** process.dlopen of an addon file; the error message says which file failed. */
function dlopen<T>(file: string): T {
  const mod = { exports: {} as T };
  process.dlopen(mod, file);
  return mod.exports;
}

/** Loads the addon once; throws a NativeError listing every path tried. */
export function loadAddon(): KabosuAddon {
  if (!cached) {
    const tried: string[] = [];
    // An explicit $KABOSU_ADDON first, then the copy embedded in a single executable (built
    // for this binary's architecture), then the files on disk.
    const files = addonCandidates();
    const explicit = process.env.KABOSU_ADDON ? [files.shift()!] : [];
    const embedded = (): string | undefined => {
      try {
        return extractEmbeddedAddon('kabosu.node');
      } catch (err) {
        tried.push(`embedded kabosu.node (${(err as Error).message})`);
        return undefined;
      }
    };
    for (const next of [...explicit.map((f) => () => f), embedded, ...files.map((f) => () => f)]) {
      const file = next();
      if (file === undefined) continue;
      tried.push(file);
      if (!existsSync(file)) continue;
      try {
        cached = { addon: dlopen<KabosuAddon>(file) };
        break;
      } catch (err) {
        tried[tried.length - 1] += ` (${(err as Error).message})`;
      }
    }
    if (!cached) {
      cached = {
        error: new NativeError('KBS_E_NATIVE_MISSING', `the kabosu native addon was not found; tried: ${tried.join(', ')}`, {
          hint: "build it with 'npm run build:native' (needs cmake and g++), or set KABOSU_ADDON to its path",
        }),
      };
    }
  }
  if (cached.error) throw cached.error;
  return cached.addon!;
}

/**
 * A third-party addon (i2c-bus, epoll) for the bundle's `bindings` shim (tools/build/bundle.mjs):
 * the copy embedded in a single executable, else the first of `dirs` that has the file.
 */
export function loadBundledAddon(name: string, dirs: string[]): unknown {
  const embedded = extractEmbeddedAddon(name);
  if (embedded) return dlopen(embedded);
  for (const dir of dirs) {
    const file = join(dir, name);
    if (existsSync(file)) return dlopen(file);
  }
  throw new Error(`kabosu: native addon ${name} not found in ${dirs.join(', ')}`);
}

export function tryLoadAddon(): KabosuAddon | undefined {
  try {
    return loadAddon();
  } catch {
    return undefined;
  }
}
