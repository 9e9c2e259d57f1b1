import { createHash } from 'node:crypto';
import { OtaError } from './errors';
import { decodeHeader, decodePreamble, PREAMBLE_BYTES, type BundleHeader } from './bundleFormat';
import { parseManifest, type Manifest, type PayloadEntry } from './manifest';

/**
 * Reads a bundle from a byte stream in one pass with bounded memory: the preamble and header
 * (at most 64 KiB) first, then each payload as a sequence of chunks handed to a sink while its
 * sha256 and length are checked. Nothing is buffered beyond the chunk in hand, so memory does
 * not grow with the bundle. A payload whose bytes do not match its manifest entry (a manifest
 * lying about size or hash, a truncated or padded file) throws as soon as it is known.
 */
export class BundleReader {
  private readonly it: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  bytesRead = 0;

  constructor(source: AsyncIterable<Buffer | Uint8Array | string>) {
    const inner = source[Symbol.asyncIterator]();
    this.it = {
      next: async () => {
        const r = await inner.next();
        return r.done ? r : { done: false, value: Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array) };
      },
      return: async () => {
        await inner.return?.();
        return { done: true, value: undefined };
      },
    };
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.bytesRead += r.value.length;
    this.pending = this.pending.length ? Buffer.concat([this.pending, r.value]) : r.value;
    return true;
  }

  private async exactly(n: number, what: string): Promise<Buffer> {
    while (this.pending.length < n) {
      if (!(await this.more())) throw new OtaError('truncated', `bundle ends inside its ${what}`, 'the file or download is incomplete: fetch it again');
    }
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /** Preamble, header and manifest (not yet verified: see signing.verifyHeader). */
  async header(): Promise<{ header: BundleHeader; manifest: Manifest; headerBytes: number }> {
    const pre = await this.exactly(PREAMBLE_BYTES, 'preamble').catch(async (e) => {
      if (e instanceof OtaError && this.pending.length > 0) decodePreamble(this.pending); // bad magic beats "truncated"
      throw e;
    });
    const n = decodePreamble(pre);
    const header = decodeHeader(Buffer.from(await this.exactly(n, 'header')));
    return { header, manifest: parseManifest(header.manifestText), headerBytes: PREAMBLE_BYTES + n };
  }

  /**
   * Streams one payload's bytes to `sink` (awaited: back-pressure), checking length and hash.
   * `sink` sees bytes before their hash is known; it must write them only where an unverified
   * payload is harmless (the inactive slot's partial directory).
   */
  async payload(p: PayloadEntry, sink: (chunk: Buffer) => Promise<void> | void): Promise<void> {
    const h = createHash('sha256');
    let left = p.size;
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.more())) {
        throw new OtaError('size_mismatch', `payload ${p.file} ends after ${p.size - left} of the ${p.size} bytes its manifest declares`, 'the bundle is truncated or its manifest lies: fetch or rebuild it');
      }
      const take = Math.min(left, this.pending.length);
      const chunk = this.pending.subarray(0, take);
      this.pending = this.pending.subarray(take);
      left -= take;
      h.update(chunk);
      await sink(chunk);
    }
    const got = h.digest('hex');
    if (got !== p.sha256) throw new OtaError('hash_mismatch', `payload ${p.file}: sha256 ${got.slice(0, 16)}… is not the manifest's ${p.sha256.slice(0, 16)}…`, 'the bundle was altered or corrupted: fetch or rebuild it');
  }

  /** After the last payload: nothing may follow (a manifest understating sizes is caught here). */
  async end(): Promise<void> {
    if (this.pending.length > 0 || (await this.more())) {
      throw new OtaError('size_mismatch', 'bytes follow the last payload: the manifest declares less than the bundle holds', 'rebuild the bundle');
    }
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}
