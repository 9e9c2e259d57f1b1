import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { OtaError } from './errors';
import { progressOf, type Progress } from './progress';
import { faultPoint } from './faults';

/**
 * Fetches a bundle over HTTP(S) into `<dir>/<sha256>.part`, resuming an interrupted download
 * with a Range request (the bytes already there are re-hashed first, so a resumed file is
 * checked end to end), and renames it to `<sha256>.kbota` once its sha256 is the pinned one.
 * The pinned hash covers the whole file; the bundle's own signature is checked again on install.
 */
export interface DownloadOptions {
  url: string;
  sha256: string;
  dir: string;
  maxBytes: number;
  nowMs: () => number;
  onProgress?: (p: Progress & { phase: 'downloading' }) => void;
  timeoutMs?: number;
}

function fail(msg: string, hint = 'check the URL and that the server is reachable from the miner'): OtaError {
  return new OtaError('download_failed', msg, hint);
}

function get(url: URL, start: number, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { headers: start > 0 ? { range: `bytes=${start}-` } : {}, timeout: timeoutMs }, resolve);
    req.on('timeout', () => req.destroy(fail(`no answer from ${url.host} within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(e instanceof OtaError ? e : fail(`cannot fetch ${url.origin}${url.pathname}: ${e.message}`)));
    req.end();
  });
}

export async function downloadBundle(o: DownloadOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw fail(`not a URL: ${o.url.slice(0, 100)}`, 'give an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`unsupported URL scheme ${url.protocol}`, 'give an http:// or https:// URL');
  if (!/^[0-9a-f]{64}$/.test(o.sha256)) throw fail('the pinned sha256 must be 64 lower-case hex digits', 'pass the sha256 of the bundle file (sha256sum)');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const done = join(o.dir, `${o.sha256}.kbota`);
  if (existsSync(done)) return done;
  const part = join(o.dir, `${o.sha256}.part`);
  // Another bundle's leftovers: not resumable into this one.
  for (const n of readdirSync(o.dir)) if (n !== `${o.sha256}.part`) rmSync(join(o.dir, n), { force: true, recursive: true });

  const hash = createHash('sha256');
  let have = existsSync(part) ? statSync(part).size : 0;
  if (have > o.maxBytes) {
    rmSync(part, { force: true });
    have = 0;
  }
  if (have > 0) for await (const c of createReadStream(part, { highWaterMark: 256 * 1024 })) hash.update(c as Buffer);
  const timeout = o.timeoutMs ?? 15_000;
  const res = await get(url, have, timeout);
  if (res.statusCode === 416 && have > 0) {
    res.resume();
    // Nothing left to send: the part is the whole file when its hash is the pinned one.
    if (hash.copy().digest('hex') === o.sha256) {
      renameSync(part, done);
      return done;
    }
    rmSync(part, { force: true });
    return receive(o, await get(url, 0, timeout), part, done, createHash('sha256'), 0);
  }
  if (res.statusCode === 200) return receive(o, res, part, done, have > 0 ? createHash('sha256') : hash, 0); // no range support: start over
  if (res.statusCode !== 206) {
    res.resume();
    throw fail(`the server answered ${res.statusCode} for ${url.pathname}`);
  }
  return receive(o, res, part, done, hash, have);
}

function totalOf(res: IncomingMessage, have: number): number | null {
  const range = /\/([0-9]+)$/.exec(String(res.headers['content-range'] ?? ''));
  if (range) return Number(range[1]);
  const len = Number(res.headers['content-length']);
  return Number.isFinite(len) && res.headers['content-length'] !== undefined ? have + len : null;
}

async function receive(o: DownloadOptions, res: IncomingMessage, part: string, done: string, hash: ReturnType<typeof createHash>, have: number): Promise<string> {
  const total = totalOf(res, have);
  if (total !== null && total > o.maxBytes) {
    res.destroy();
    throw new OtaError('oversized', `the bundle is ${total} bytes, over the ${o.maxBytes}-byte limit (ota.maxBundleBytes)`, 'raise ota.maxBundleBytes if this size is expected');
  }
  const fd = openSync(part, have > 0 ? 'a' : 'w', 0o600);
  if (have === 0) ftruncateSync(fd, 0);
  const start = o.nowMs();
  let got = have;
  const startBytes = have;
  try {
    for await (const c of res) {
      const b = c as Buffer;
      got += b.length;
      if (got > o.maxBytes) throw new OtaError('oversized', `the download passed the ${o.maxBytes}-byte limit (ota.maxBundleBytes)`, 'raise ota.maxBundleBytes if this size is expected');
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      hash.update(b);
      if (total && got * 2 >= total && got - b.length < total / 2) {
        fsyncSync(fd);
        faultPoint('download');
      }
      o.onProgress?.({ ...progressOf(got, total ?? got, o.nowMs() - start), phase: 'downloading', rateBps: progressOf(got - startBytes, 1, o.nowMs() - start).rateBps });
    }
    if (!res.complete) throw fail('the connection closed before the end of the bundle', 'try again: the download resumes where it stopped');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (total !== null && got !== total) throw fail(`received ${got} of ${total} bytes`, 'try again: the download resumes where it stopped');
  const digest = hash.digest('hex');
  if (digest !== o.sha256) {
    rmSync(part, { force: true });
    throw new OtaError('hash_mismatch', `the downloaded file's sha256 ${digest.slice(0, 16)}… is not the pinned ${o.sha256.slice(0, 16)}…`, 'the server holds another file than the one named: check the URL and hash');
  }
  renameSync(part, done);
  return done;
}
