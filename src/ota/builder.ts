import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { OtaError } from './errors';
import { encodeHeader, encodePreamble, type BundleHeader, type Endorsement } from './bundleFormat';
import { APP_EXECUTABLE, parseManifest, type Manifest, type PayloadEntry } from './manifest';
import { BundleReader } from './bundleReader';
import { signManifest } from './signing';
import { fsyncPath } from './slotStore';

/** `kabosu ota build`: the manifest from the files (sizes and hashes streamed), then the bundle file. */
export interface BuildInput {
  version: string;
  buildId: string;
  arch: string;
  boards: string[];
  minFromVersion: string;
  /** App files: the first one named `kabosu` (or renamed to it) is the executable. */
  app: string[];
  rootfs?: string;
  out: string;
  key?: KeyObject;
  endorsements?: Endorsement[];
  createdAt?: string;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 256 * 1024 })) h.update(c as Buffer);
  return h.digest('hex');
}

export async function buildBundle(b: BuildInput): Promise<Manifest> {
  const payloads: PayloadEntry[] = [];
  const sources: string[] = [];
  for (const [i, f] of b.app.entries()) {
    const file = i === 0 ? APP_EXECUTABLE : basename(f);
    payloads.push({ kind: 'app', file, size: statSync(f).size, sha256: await sha256File(f), mode: i === 0 ? 0o755 : 0o644 });
    sources.push(f);
  }
  if (b.rootfs) {
    payloads.push({ kind: 'rootfs', file: basename(b.rootfs).replace(/^\.+/, '') || 'rootfs.img', size: statSync(b.rootfs).size, sha256: await sha256File(b.rootfs), mode: 0o644 });
    sources.push(b.rootfs);
  }
  const manifestObj: Manifest = {
    format: 1,
    version: b.version,
    buildId: b.buildId,
    arch: b.arch,
    boards: b.boards,
    minFromVersion: b.minFromVersion,
    createdAt: b.createdAt ?? new Date().toISOString(),
    payloads,
  };
  const manifestText = JSON.stringify(manifestObj, null, 1);
  const manifest = parseManifest(manifestText); // the builder refuses what a device would refuse
  const header: BundleHeader = { manifestText, signatures: b.key ? [signManifest(manifestText, b.key)] : [], endorsements: b.endorsements ?? [] };
  await writeBundle(b.out, header, async (write) => {
    for (const s of sources) for await (const c of createReadStream(s, { highWaterMark: 256 * 1024 })) await write(c as Buffer);
  });
  return manifest;
}

/** Writes header + payload streams to `out` atomically (temp file, fsync, rename). */
type Writer = (c: Buffer) => Promise<void>;
async function writeBundle(out: string, header: BundleHeader, payloads: (write: Writer) => Promise<void>): Promise<void> {
  const h = encodeHeader(header);
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  const ws = createWriteStream(tmp, { mode: 0o644 });
  try {
    const write = async (c: Buffer): Promise<void> => {
      if (!ws.write(c)) await once(ws, 'drain');
    };
    await write(encodePreamble(h.length));
    await write(h);
    await payloads(write);
    ws.end();
    await once(ws, 'finish');
    fsyncPath(tmp);
    renameSync(tmp, out);
  } catch (err) {
    ws.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** `kabosu ota sign`: adds a signature (and endorsements) to an existing bundle. */
export async function signBundle(path: string, key: KeyObject, endorsements: Endorsement[] = []): Promise<void> {
  const reader = new BundleReader(createReadStream(path, { highWaterMark: 256 * 1024 }));
  const { header, manifest } = await reader.header();
  const sig = signManifest(header.manifestText, key);
  const next: BundleHeader = {
    manifestText: header.manifestText,
    signatures: [...header.signatures.filter((s) => s.key !== sig.key), sig],
    endorsements: [...header.endorsements, ...endorsements.filter((e) => !header.endorsements.some((x) => x.key === e.key && x.by === e.by))],
  };
  try {
    await writeBundle(path, next, async (write) => {
      for (const p of manifest.payloads) await reader.payload(p, (c) => write(Buffer.from(c)));
      await reader.end();
    });
  } finally {
    await reader.close();
  }
}

/** Reads a whole bundle (all hashes checked) without writing anything: `ota verify` / `ota inspect`. */
export async function readWholeBundle(path: string): Promise<{ header: BundleHeader; manifest: Manifest; headerBytes: number }> {
  const reader = new BundleReader(createReadStream(path, { highWaterMark: 256 * 1024 }));
  try {
    const h = await reader.header();
    for (const p of h.manifest.payloads) await reader.payload(p, () => undefined);
    await reader.end();
    return h;
  } catch (err) {
    if (err instanceof OtaError) throw err;
    throw new OtaError('malformed', `cannot read ${path}: ${(err as Error).message}`);
  } finally {
    await reader.close();
  }
}
