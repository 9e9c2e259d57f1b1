import { parseArgs } from 'node:util';
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { CliCommand, CliContext } from '../command';
import { UsageError } from '../../core/errors';
import { VERSION } from '../../core/version';
import { checkConfigText, readConfigFile } from '../../config';
import { resolvePaths } from '../../app/paths';
import {
  buildBundle, downloadBundle, endorseKey, generateSigningKey, installBundle, otaPaths, privateKeyFromPem, ProgressThrottle, readState, readWholeBundle, signBundle,
  verifyHeader, readRotatedKeys, type Endorsement, type Progress,
} from '../../ota';

/**
 * `kabosu ota keygen|endorse|build|sign|verify|inspect|install|status` (docs/ota.md). Signing
 * happens on a build machine (the private key never goes on a miner); verify/install use the
 * keys in ota.publicKeys (or --trust KEY).
 */
const USAGE = `usage:
  kabosu ota keygen --out KEY.pem                       new ed25519 signing key; prints the public key
  kabosu ota endorse --key OLD.pem --new PUBKEY --out E.json   rotate: the old key vouches for the new one
  kabosu ota build --out B.kbota --version V --build-id ID --arch A --board B[,B] [--min-from V]
                   [--key KEY.pem] [--endorsement E.json] [--rootfs IMG] EXECUTABLE [ADDON...]
  kabosu ota sign --key KEY.pem [--endorsement E.json] BUNDLE
  kabosu ota verify [--trust PUBKEY]... BUNDLE          signature and every payload hash; writes nothing
  kabosu ota inspect [--json] BUNDLE                    the manifest and who signed it
  kabosu ota install [--config F] [--data-dir D] [--json] (BUNDLE | --url URL --sha256 HEX)
  kabosu ota status [--config F] [--data-dir D] [--json]`;

const PATHS = { config: { type: 'string' }, 'data-dir': { type: 'string' }, dev: { type: 'boolean' } } as const;

import type { ParseArgsConfig } from 'node:util';
type Options = NonNullable<ParseArgsConfig['options']>;
function args<O extends Options>(ctx: CliContext, options: O) {
  try {
    return parseArgs({ args: ctx.argv.slice(1), options, allowPositionals: true, strict: true as const });
  } catch (err) {
    throw new UsageError((err as Error).message, USAGE);
  }
}

function readEndorsements(files: string[] | undefined): Endorsement[] {
  return (files ?? []).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Endorsement);
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`ota needs exactly one ${what}`, USAGE);
  return positionals[0];
}

/** Config (keys, board, limits) and paths the way `kabosu run` resolves them. */
function deviceContext(ctx: CliContext, v: { config?: string; 'data-dir'?: string; dev?: boolean }) {
  const paths = resolvePaths({ config: v.config, dataDir: v['data-dir'], dev: v.dev, cwd: ctx.cwd, env: ctx.env });
  const { config } = checkConfigText(readConfigFile(paths.configPath), paths.configPath, ctx.env);
  return { paths, config, ota: otaPaths(paths.dataDir) };
}

function progressPrinter(ctx: CliContext, json: boolean): (p: Progress & { phase: string }) => void {
  const t = new ProgressThrottle();
  return (p) => {
    if (!t.due(p)) return;
    ctx.stderr.write(json ? JSON.stringify({ progress: p }) + '\n' : `${p.phase} ${p.percent}% (${p.bytes}/${p.total} bytes${p.etaS !== null ? `, eta ${p.etaS} s` : ''})\n`);
  };
}

const SUB: Record<string, (ctx: CliContext) => Promise<number>> = {
  async keygen(ctx) {
    const { values } = args(ctx, { out: { type: 'string' } });
    if (!values.out) throw new UsageError('ota keygen needs --out FILE', USAGE);
    const k = generateSigningKey();
    writeFileSync(values.out, k.privatePem, { mode: 0o600, flag: 'wx' });
    ctx.stdout.write(`${k.publicKey}\n`);
    return 0;
  },
  async endorse(ctx) {
    const { values } = args(ctx, { key: { type: 'string' }, new: { type: 'string' }, out: { type: 'string' } });
    if (!values.key || !values.new || !values.out) throw new UsageError('ota endorse needs --key OLD.pem --new PUBKEY --out FILE', USAGE);
    const e = endorseKey(values.new, privateKeyFromPem(readFileSync(values.key, 'utf8')));
    writeFileSync(values.out, JSON.stringify(e) + '\n');
    ctx.stdout.write(`${values.out}: ${e.by.slice(0, 12)}… endorses ${e.key}\n`);
    return 0;
  },
  async build(ctx) {
    const { values, positionals } = args(ctx, {
      out: { type: 'string' }, version: { type: 'string' }, 'build-id': { type: 'string' }, arch: { type: 'string' }, board: { type: 'string' },
      'min-from': { type: 'string' }, key: { type: 'string' }, endorsement: { type: 'string', multiple: true }, rootfs: { type: 'string' }, json: { type: 'boolean' },
    });
    if (!values.out || !values.version || !values['build-id'] || !values.board || positionals.length === 0) throw new UsageError('ota build needs --out, --version, --build-id, --board and the executable', USAGE);
    const m = await buildBundle({
      out: values.out, version: values.version, buildId: values['build-id'], arch: values.arch ?? process.arch, boards: values.board.split(','), minFromVersion: values['min-from'] ?? '0.0.0',
      app: positionals, rootfs: values.rootfs, key: values.key ? privateKeyFromPem(readFileSync(values.key, 'utf8')) : undefined, endorsements: readEndorsements(values.endorsement),
    });
    ctx.stdout.write(values.json ? JSON.stringify(m) + '\n' : `${values.out}: ${m.version} (${m.buildId}) ${m.arch} for ${m.boards.join(', ')}, ${m.payloads.length} payload(s)${values.key ? ', signed' : ', unsigned'}\n`);
    return 0;
  },
  async sign(ctx) {
    const { values, positionals } = args(ctx, { key: { type: 'string' }, endorsement: { type: 'string', multiple: true } });
    if (!values.key) throw new UsageError('ota sign needs --key FILE', USAGE);
    const file = one(positionals, 'BUNDLE');
    await signBundle(file, privateKeyFromPem(readFileSync(values.key, 'utf8')), readEndorsements(values.endorsement));
    ctx.stdout.write(`${file}: signed\n`);
    return 0;
  },
  async verify(ctx) {
    const { values, positionals } = args(ctx, { trust: { type: 'string', multiple: true }, json: { type: 'boolean' }, ...PATHS });
    const file = one(positionals, 'BUNDLE');
    let trusted = values.trust ?? [];
    if (trusted.length === 0) {
      const d = deviceContext(ctx, values);
      trusted = [...d.config.ota.publicKeys, ...readRotatedKeys(d.ota)];
    }
    const h = await readWholeBundle(file);
    const v = verifyHeader(h.header, trusted);
    ctx.stdout.write(values.json ? JSON.stringify({ ok: true, version: h.manifest.version, signedBy: v.signedBy, newKeys: v.newKeys }) + '\n' : `${file}: ok, ${h.manifest.version} signed by ${v.signedBy}, every payload hash matches\n`);
    return 0;
  },
  async inspect(ctx) {
    const { values, positionals } = args(ctx, { json: { type: 'boolean' } });
    const file = one(positionals, 'BUNDLE');
    const h = await readWholeBundle(file);
    const out = { manifest: h.manifest, signedBy: h.header.signatures.map((s) => s.key), endorsements: h.header.endorsements.map((e) => ({ key: e.key, by: e.by })), headerBytes: h.headerBytes };
    if (values.json) ctx.stdout.write(JSON.stringify(out) + '\n');
    else {
      const m = h.manifest;
      ctx.stdout.write(`version ${m.version}  build ${m.buildId}  arch ${m.arch}  boards ${m.boards.join(',')}  replaces >= ${m.minFromVersion}  created ${m.createdAt}\n`);
      for (const p of m.payloads) ctx.stdout.write(`  ${p.kind.padEnd(6)} ${p.file.padEnd(24)} ${String(p.size).padStart(12)} B  sha256 ${p.sha256}\n`);
      ctx.stdout.write(`signed by: ${out.signedBy.join(', ') || '(unsigned)'}\n`);
      for (const e of out.endorsements) ctx.stdout.write(`endorsement: ${e.by} vouches for ${e.key}\n`);
    }
    return 0;
  },
  async install(ctx) {
    const { values, positionals } = args(ctx, { url: { type: 'string' }, sha256: { type: 'string' }, json: { type: 'boolean' }, ...PATHS });
    const d = deviceContext(ctx, values);
    if (!d.config.ota.enabled) throw new UsageError('updates are disabled (ota.enabled is false)', 'set ota.enabled and ota.publicKeys in the config');
    const json = Boolean(values.json);
    const t0 = Date.now();
    let file: string;
    if (values.url) {
      if (!values.sha256 || positionals.length) throw new UsageError('ota install --url needs --sha256 HEX and no BUNDLE', USAGE);
      file = await downloadBundle({ url: values.url, sha256: values.sha256, dir: d.ota.download, maxBytes: d.config.ota.maxBundleBytes, nowMs: Date.now, onProgress: progressPrinter(ctx, json) });
    } else file = one(positionals, 'BUNDLE');
    const state = readState(d.ota, VERSION);
    const r = await installBundle({
      paths: d.ota, source: createReadStream(file, { highWaterMark: 64 * 1024 }), sourceBytes: statSync(file).size, running: state.active, factoryVersion: VERSION, tries: d.config.ota.bootTries, nowMs: Date.now,
      device: { arch: process.arch, board: d.config.hashboards.model, maxBundleBytes: d.config.ota.maxBundleBytes, rootfsSlots: false }, trustedKeys: d.config.ota.publicKeys,
      onProgress: progressPrinter(ctx, json),
    });
    if (values.url) require('node:fs').rmSync(file, { force: true });
    const out = { slot: r.slot, version: r.manifest.version, buildId: r.manifest.buildId, signedBy: r.signedBy, newKeys: r.newKeys, ms: Date.now() - t0 };
    ctx.stdout.write(json ? JSON.stringify(out) + '\n' : `installed ${out.version} into slot ${out.slot} (${out.ms} ms); it runs on trial at the next start (systemctl restart kabosu)\n`);
    return 0;
  },
  async status(ctx) {
    const { values } = args(ctx, { json: { type: 'boolean' }, ...PATHS });
    const paths = resolvePaths({ config: values.config, dataDir: values['data-dir'], dev: values.dev, cwd: ctx.cwd, env: ctx.env });
    const s = readState(otaPaths(paths.dataDir), VERSION);
    ctx.stdout.write(values.json ? JSON.stringify(s) + '\n' : `committed: ${s.active}  min version: ${s.minVersion}\n${(['a', 'b'] as const).map((k) => `  slot ${k}: ${s.slots[k] ? `${s.slots[k]!.version} (${s.slots[k]!.buildId}) ${s.slots[k]!.status}` : 'empty'}`).join('\n')}\n${s.trial ? `trial: slot ${s.trial.slot}, ${s.trial.triesLeft} tries left\n` : ''}${s.last ? `last: ${s.last.result} ${s.last.version}: ${s.last.reason}\n` : ''}`);
    return 0;
  },
};

export const command: CliCommand = {
  summary: 'signed updates: keygen, endorse, build, sign, verify, inspect, install, status (docs/ota.md)',
  async run(ctx) {
    const sub = ctx.argv[0];
    const f = sub ? SUB[sub] : undefined;
    if (!f) throw new UsageError(sub ? `unknown ota command '${sub}'` : 'kabosu ota needs a command', USAGE);
    return f(ctx);
  },
};

/** sha256 of a file, hex (for `--sha256` of a URL install). */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}
