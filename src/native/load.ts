import { existsSync } from 'node:fs';
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

/** Where the loader looks, in order (conventions 2.11). */
export function addonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list: string[] = [];
  if (env.KABOSU_ADDON) list.push(resolve(env.KABOSU_ADDON));
  list.push(join(dirname(process.execPath), 'addons', 'kabosu.node'));
  list.push(join(__dirname, 'addons', 'kabosu.node')); // beside the esbuild bundle (dist/)
  list.push(resolve(__dirname, '../../native/build/Release/kabosu.node')); // source checkout
  return list;
}

/** Loads the addon once; throws a NativeError listing every path tried. */
export function loadAddon(): KabosuAddon {
  if (!cached) {
    const tried: string[] = [];
    for (const file of addonCandidates()) {
      tried.push(file);
      if (!existsSync(file)) continue;
      try {
        const mod = { exports: {} as KabosuAddon };
        process.dlopen(mod, file);
        cached = { addon: mod.exports };
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

export function tryLoadAddon(): KabosuAddon | undefined {
  try {
    return loadAddon();
  } catch {
    return undefined;
  }
}
