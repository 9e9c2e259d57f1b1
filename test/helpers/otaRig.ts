import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from '../../src/ota/signing';

/**
 * A miner's data dir, config and a signing key for OTA tests, with the `kabosu` CLI run as a
 * process (`kabosu ota ...`, `kabosu launch run ...`).
 */
export const BIN = join(__dirname, '../../bin/kabosu.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class OtaRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'kabosu-ota-'));
  readonly data = join(this.dir, 'data');
  readonly config = join(this.dir, 'config.json');
  readonly key = join(this.dir, 'key.pem');
  readonly env: NodeJS.ProcessEnv;
  pub = '';

  constructor(extraConfig: Record<string, unknown> = {}) {
    mkdirSync(this.data);
    this.env = { ...process.env };
    for (const k of Object.keys(this.env)) if (k.startsWith('KABOSU_')) delete this.env[k];
    // In process (`kabosu ota keygen` itself is exercised by otaCli.test.ts): one CLI start less per rig.
    const k = generateSigningKey();
    writeFileSync(this.key, k.privatePem, { mode: 0o600 });
    this.pub = k.publicKey;
    this.writeConfig(extraConfig);
  }

  writeConfig(extra: Record<string, unknown> = {}): void {
    const ota = { enabled: true, publicKeys: [this.pub], ...((extra.ota as object) ?? {}) };
    writeFileSync(this.config, JSON.stringify({ version: 1, ...extra, ota }, null, 2));
  }

  cliSync(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: this.dir, env: { ...this.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { cwd: this.dir, env: { ...this.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      });
    });
  }

  /** An app payload: an executable shell script (what the slot's `kabosu` is) and an addon-sized blob. */
  app(name: string, script: string, addonBytes = 64 * 1024): string[] {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'kabosu'), script, { mode: 0o755 });
    const addon = Buffer.alloc(addonBytes);
    for (let i = 0; i < addon.length; i++) addon[i] = (i * 31 + name.length) & 0xff;
    writeFileSync(join(d, 'kabosu.node'), addon);
    return [join(d, 'kabosu'), join(d, 'kabosu.node')];
  }

  build(out: string, version: string, buildId: string, files: string[], extra: string[] = []): CliResult {
    return this.cliSync(['ota', 'build', '--out', join(this.dir, out), '--version', version, '--build-id', buildId, '--board', 'l3plus', '--key', this.key, ...extra, ...files]);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  installArgs(bundle: string): string[] {
    return ['ota', 'install', '--config', this.config, '--data-dir', this.data, this.path(bundle)];
  }

  state(): { active: string; trial?: { slot: string; triesLeft: number }; slots: Record<string, { version: string; status: string }>; minVersion: string; last?: { result: string; reason: string } } {
    return JSON.parse(this.cliSync(['ota', 'status', '--json', '--config', this.config, '--data-dir', this.data]).stdout);
  }

  /** Every file under the data dir with its sha256 (to prove nothing was written). */
  snapshot(dir = this.data): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string): void => {
      if (!existsSync(d)) return;
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else out[p.slice(dir.length)] = createHash('sha256').update(readFileSync(p)).digest('hex');
      }
    };
    walk(dir);
    return out;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `kabosu launch run ...` as systemd would run it (own process group, so a power cut kills all of it). */
export class Launched {
  out = '';
  readonly proc: import('node:child_process').ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(rig: OtaRig, env: NodeJS.ProcessEnv = {}) {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    this.proc = spawn(process.execPath, [BIN, 'launch', 'run', '--config', rig.config, '--data-dir', rig.data], { cwd: rig.dir, env: { ...rig.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (c) => (this.out += String(c)));
    this.proc.stderr!.on('data', (c) => (this.out += String(c)));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves with the match once the output holds it; rejects with the output's tail after `ms`. */
  async waitFor(re: RegExp, ms: number): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    let gone = false;
    void this.exited.then(() => (gone = true));
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (Date.now() > end || gone) throw new Error(`no ${re} within ${ms} ms${gone ? ' (launcher exited)' : ''}:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The slot the launcher started first (its first `launching` line). */
  async slot(ms = 30_000): Promise<string> {
    return (await this.waitFor(/"msg":"launching","slot":"([a-z]+)"/, ms))[1];
  }

  /** SIGKILL to the whole process group: launcher and app stop as in a power cut. */
  async powerCut(): Promise<void> {
    try {
      process.kill(-this.proc.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await this.exited;
  }

  /** systemctl stop: SIGTERM to the launcher, which forwards it; SIGKILL after 30 s. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => void this.powerCut(), 30_000);
    const r = await this.exited;
    clearTimeout(t);
    return r;
  }
}
