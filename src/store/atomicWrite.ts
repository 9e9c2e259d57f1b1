import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StoreError } from '../core/errors';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o644). Applied at creation, before any data lands. */
  mode?: number;
}

/**
 * Replaces `path` with `data` so a reader sees either the old file or the new one, never a
 * mixture, even across a power cut: write a temp file in the same directory, fsync it, rename
 * it over the target, then fsync the directory so the rename itself is durable.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`); // matches TEMP_RE

  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', opts.mode ?? 0o644);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new StoreError('KBS_E_STORE_WRITE', `cannot write ${path}: ${(err as Error).message}`, {
      hint: `check that ${dir} exists, is writable by this user and the disk is not full`,
      context: { path },
      cause: err,
    });
  }
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory (EINVAL/EISDIR); the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The temp names writeFileAtomic makes: `.<name>.<pid>.<8 hex>.tmp`. */
const TEMP_RE = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function alive(pid: number): boolean {
  // Our own pid: writes here are synchronous, so none of ours is in flight while this runs; a
  // match is a killed predecessor that had the same pid (deterministic boots reuse pids).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, not ours
  }
}

/**
 * Removes the temp files a writer killed mid-write left in `dir` (its target was never replaced,
 * so the target is still the last good copy). Only writeFileAtomic's own names, and only those of
 * a process no longer running: a live writer's temp file stays. Call it at start, before this
 * process writes. Returns the names removed; a missing or unreadable directory removes nothing.
 */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    try {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // not ours to remove (permissions): leave it
    }
  }
  return removed;
}
