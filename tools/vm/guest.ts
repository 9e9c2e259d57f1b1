// tools/vm/guest.ts: boot an x86_64 Linux guest under QEMU TCG and run one command in it.
//
//   import { bootGuest, startGuest, vmAvailable, prepareGuest } from '../../tools/vm/guest';
//   const r = await bootGuest({ command: 'node -e "..."', chains: [{ tty: '/dev/pts/5' }], net: true });
//   r.code, r.stdout, r.stderr, r.timings   // exit code of the command in the guest
//
// The guest is Debian's own kernel (tools/vm/prepare.sh) with a busybox initramfs whose /init
// (tools/vm/init.sh) loads i2c-stub, i2c-dev and an out-of-tree gpio-sim, mounts the host's / read-only
// over 9p and chroots into it, so the host's node, node_modules, native addon and this worktree
// run unchanged. Guest serial: ttyS0 = console (the KBVM protocol lines), ttyS1..ttyS3 = ISA
// 16550s, ttyS4 = a PCI 16550 (QEMU `pci-serial`); each chain is a QEMU chardev:
//   { tty: '/dev/pts/N' }  QEMU's serial backend on a host tty (a `kabosu sim run --pty` chain):
//                          the guest's baud/termios reach the host tty, so the sim sees the line speed
//   { socket: '/path' }    QEMU connects to a unix-socket server (e.g. a socat relay)
//   null                   unconnected (null chardev)
// Network (net: true): QEMU user-net; the host's loopback services are at 10.0.2.2 in the guest.
// The command runs as root in the chroot with cwd `cwd` (default: this worktree), HOME and TMPDIR
// on a guest tmpfs (/run/tmp), the per-run share at /run/kbvm (read-write, the host's workDir).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HERE = __dirname;
export const REPO = join(HERE, '..', '..');
const QEMU = 'qemu-system-x86_64';

/** L3+ controller bus 0: PICs 0x50..0x53, PSU (PMBus) 0x58 (../shared/reference/chips.md §1). */
export const L3PLUS_I2C_ADDRS = [0x50, 0x51, 0x52, 0x53, 0x58];

function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).status === 0;
}

/** Why the VM cannot run here (null when it can): no qemu and no way to install it. */
export function vmUnavailableReason(env = process.env) {
  if (env.KABOSU_VM === '0') return 'KABOSU_VM=0';
  if (process.platform !== 'linux' || process.arch !== 'x64') return `needs an x86_64 Linux host (this is ${process.platform}/${process.arch})`;
  const root = process.getuid?.() === 0;
  if (!onPath(QEMU) && !(root && onPath('apt-get'))) return `${QEMU} missing (apt-get install qemu-system-x86) and not root to install it`;
  // Not root: prepare.sh cannot apt-get the kernel headers, so only a guest already built will do.
  const cache = env.KABOSU_VM_CACHE ?? join(env.HOME ?? '/root', '.cache/kabosu-vm');
  if (!root && !(existsSync(join(cache, 'kver')) && readdirSync(cache).some((f) => f.startsWith('initrd-')))) {
    return `no prepared guest in ${cache} and not root: run 'sudo KABOSU_VM_CACHE=${cache} bash tools/vm/prepare.sh' once`;
  }
  return null;
}

export const vmAvailable = () => vmUnavailableReason() === null;

export interface GuestAssets {
  kver: string;
  kernel: string;
  initrd: string;
  prepareMs: number;
}
let prepared: GuestAssets | null = null;
/** Runs prepare.sh once per process: installs/downloads/builds what the guest needs (cached). */
export function prepareGuest({ log = (_line: string): void => undefined } = {}): GuestAssets {
  if (prepared) return prepared;
  const t0 = Date.now();
  const r = spawnSync('nice', ['-n', '10', 'bash', join(HERE, 'prepare.sh')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tools/vm/prepare.sh failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
  const kv = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('='))
      .map(([k, ...v]) => [k, v.join('=')]),
  );
  prepared = { kver: kv.KVER, kernel: kv.KERNEL, initrd: kv.INITRD, prepareMs: Date.now() - t0 };
  log(`prepare ${prepared.prepareMs} ms (${prepared.kver})`);
  return prepared;
}

/** Where the per-run share (the host's workDir) is mounted in the guest. */
export const GUEST_SHARE = '/run/kbvm';

/**
 * Bundles a TypeScript entry on the host (esbuild, ~0.2 s) into `workDir`, because tsx compiling
 * the sources inside the TCG guest costs ~18 s of guest time. npm packages stay external and
 * load from this worktree's node_modules (NODE_PATH); the kabosu addon from native/build.
 * Returns the guest path of the bundle and the env the guest command needs.
 */
export async function bundleForGuest(entry: string, workDir: string, name = 'guest-entry.cjs'): Promise<{ guestPath: string; env: Record<string, string> }> {
  const { build } = await import('esbuild');
  await build({ entryPoints: [entry], outfile: join(workDir, name), bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  return {
    guestPath: `${GUEST_SHARE}/${name}`,
    env: { NODE_PATH: join(REPO, 'node_modules'), KABOSU_ADDON: join(REPO, 'native/build/Release/kabosu.node') },
  };
}

const shq = (s: string): string => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** A chain port's host side: a host tty (QEMU serial backend) or a unix-socket server QEMU connects to. */
export type ChainPort = { tty: string } | { socket: string } | null | undefined;

function chardev(id: string, c: ChainPort): string {
  if (!c) return `null,id=${id}`;
  if ('tty' in c) return `serial,id=${id},path=${c.tty}`;
  if ('socket' in c) return `socket,id=${id},path=${c.socket},server=off`;
  throw new Error(`chain chardev: give {tty} or {socket}, got ${JSON.stringify(c)}`);
}

/**
 * Start a guest; returns at once with
 *   { workDir, result: Promise<Result>, waitForOutput(re, ms), kill() }
 * Result: { code, stdout, stderr, console, timings: { wallMs, readyWallMs, guest: {init, mounted, devices, ready, done} } }
 * `code` is the command's exit status; 124 = timed out (QEMU killed), 125 = the guest's /init failed.
 */
export interface GuestOptions {
  /** Shell commands run in the guest (sh, in the chroot of the host root). */
  command?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** ttyS1..ttyS4 in order. */
  chains?: ChainPort[];
  /** i2c-stub chip addresses (default: the L3+ bus 0). */
  i2cAddrs?: number[];
  /** gpio-sim line count (0/absent: no gpio-sim chip) and line names by offset. */
  gpioLines?: number;
  gpioNames?: Record<number, string>;
  gpioLabel?: string;
  /** Put the chip at global GPIO number 0 (default true), so sysfs numbers are the board's offsets. */
  gpioBase0?: boolean;
  /** QEMU user-net: the host's loopback at 10.0.2.2. */
  net?: boolean;
  timeoutMs?: number;
  memMb?: number;
  smp?: number;
  append?: string;
  nice?: number;
  /** The per-run share (host side); default a fresh mkdtemp, removed after a run that exited 0. */
  workDir?: string;
  keep?: boolean;
  assets?: GuestAssets;
  log?: (line: string) => void;
}

export interface GuestResult {
  code: number;
  qemuExit: number | string | null;
  stdout: string;
  stderr: string;
  console: string;
  workDir: string;
  timings: { wallMs: number; readyWallMs: number | null; guest: Record<string, number>; prepareMs: number };
}

export interface RunningGuest {
  workDir: string;
  result: Promise<GuestResult>;
  waitForOutput(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  kill(): void;
  pid: number | undefined;
}

export function startGuest(o: GuestOptions = {}): RunningGuest {
  const assets = o.assets ?? prepareGuest({ log: o.log });
  const workDir = o.workDir ?? mkdtempSync(join(tmpdir(), 'kabosu-vm-'));
  mkdirSync(workDir, { recursive: true });
  const env = {
    KBVM_I2C_ADDRS: (o.i2cAddrs ?? L3PLUS_I2C_ADDRS).map((a) => '0x' + a.toString(16)).join(','),
    KBVM_GPIO_LINES: o.gpioLines ? String(o.gpioLines) : '',
    KBVM_GPIO_LABEL: o.gpioLabel ?? 'kabosu-gpio',
    KBVM_GPIO_BASE0: o.gpioBase0 === false ? '0' : '1',
    KBVM_GPIO_NAMES: Object.entries(o.gpioNames ?? {})
      .map(([off, name]) => `${off}=${String(name).replace(/[^\w.-]/g, '_')}`)
      .join(' '),
    KBVM_NET: o.net ? '1' : '0',
  };
  writeFileSync(join(workDir, 'vm.env'), Object.entries(env).map(([k, v]) => `${k}=${shq(v)}`).join('\n') + '\n');
  const exports = Object.entries(o.env ?? {}).map(([k, v]) => `export ${k}=${shq(v)}`).join('\n');
  writeFileSync(join(workDir, 'cmd.sh'), `cd ${shq(o.cwd ?? REPO)} || exit 126\n${exports}\n${o.command ?? 'true'}\n`);
  for (const f of ['stdout', 'stderr']) rmSync(join(workDir, f), { force: true });

  const chains = o.chains ?? [];
  if (chains.length > 4) throw new Error('at most 4 chain ports (ttyS1..ttyS4)');
  const args = [
    ...['-accel', 'tcg', '-cpu', 'max', '-m', String(o.memMb ?? 1024), '-smp', String(o.smp ?? 2)],
    ...['-nographic', '-no-reboot', '-nodefaults'],
    ...['-kernel', assets.kernel, '-initrd', assets.initrd],
    ...['-append', `console=ttyS0 quiet loglevel=3 panic=-1 8250.nr_uarts=5 ${o.append ?? ''}`.trim()],
    ...['-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap'],
    ...['-virtfs', `local,path=${workDir},mount_tag=kbvm,security_model=none,multidevs=remap`],
    ...['-chardev', 'stdio,id=con,signal=off', '-serial', 'chardev:con'],
  ];
  for (let i = 0; i < 4; i++) {
    args.push('-chardev', chardev(`chain${i}`, chains[i]));
    if (i < 3) args.push('-serial', `chardev:chain${i}`);
    else args.push('-device', `pci-serial,chardev=chain${i}`);
  }
  if (o.net) args.push('-nic', 'user,model=virtio-net-pci');
  else args.push('-nic', 'none');

  const t0 = Date.now();
  const nice = o.nice ?? 10;
  const child = spawn(nice ? 'nice' : QEMU, nice ? ['-n', String(nice), QEMU, ...args] : args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let consoleText = '';
  const guest: Record<string, number> = {};
  let readyWallMs: number | null = null;
  let code: number | null = null;
  const onLine = (line: string): void => {
    // The first marker can share its line with SeaBIOS's screen-clearing escapes.
    const m = /KBVM (\w+) ?(.*)$/.exec(line.replace(/\r$/, ''));
    if (!m) return;
    const [, what, rest] = m;
    if (what === 'EXIT') code = Number(rest);
    else if (what !== 'FAIL' && what !== 'WARN') guest[what.toLowerCase()] = Number(rest.split(' ')[0]);
    if (what === 'READY') readyWallMs = Date.now() - t0;
    o.log?.(`guest ${line.trim()}`);
  };
  let partial = '';
  const onData = (d: Buffer): void => {
    const s = d.toString('latin1');
    consoleText += s;
    partial += s;
    let i;
    while ((i = partial.indexOf('\n')) >= 0) {
      onLine(partial.slice(0, i));
      partial = partial.slice(i + 1);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, o.timeoutMs ?? 240_000);
  const read = (f: string): string => (existsSync(join(workDir, f)) ? readFileSync(join(workDir, f), 'utf8') : '');
  const result = new Promise<GuestResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (partial) onLine(partial);
      const wallMs = Date.now() - t0;
      const r: GuestResult = {
        code: timedOut ? 124 : (code ?? 125),
        qemuExit: status ?? signal,
        stdout: read('stdout'),
        stderr: read('stderr'),
        console: consoleText,
        workDir,
        timings: { wallMs, readyWallMs, guest, prepareMs: assets.prepareMs },
      };
      if (!o.workDir && o.keep !== true && r.code === 0) rmSync(workDir, { recursive: true, force: true });
      resolve(r);
    });
  });
  /** Resolves with the match once the command's stdout (the share file) matches `re`. */
  const waitForOutput = async (re: RegExp, ms = 60_000): Promise<RegExpExecArray> => {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(read('stdout'));
      if (m) return m;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`guest ended before stdout matched ${re}`);
      if (Date.now() > end) throw new Error(`guest stdout did not match ${re} within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { workDir, result, waitForOutput, kill: () => child.kill('SIGKILL'), pid: child.pid };
}

/**
 * Boot, run `command`, power off: the Result of startGuest. A guest that never reached READY
 * (its /init failed before the command, or QEMU exited at once: code 125, seen once in 40 boots
 * on a loaded host) is the harness failing, not the code under test: that boot is retried once,
 * with the first attempt's console tail on stderr. A command's own failure is never retried.
 */
export async function bootGuest(o: GuestOptions): Promise<GuestResult> {
  const first = await startGuest(o).result;
  if (first.code !== 125 || first.timings.readyWallMs !== null) return first;
  process.stderr.write(`tools/vm: the guest did not come up (qemu exit ${String(first.qemuExit)}); retrying once. Console tail:\n${first.console.slice(-2000)}\n`);
  return startGuest(o).result;
}

// CLI: node -r tsx/cjs tools/vm/guest.ts [--net] [--tty N=PATH | --socket N=PATH]... [--timeout S] [--gpio-lines N] -- COMMAND...
async function cli(): Promise<void> {
  const argv = process.argv.slice(2);
  const dd = argv.indexOf('--');
  const opts = dd >= 0 ? argv.slice(0, dd) : argv;
  const command = dd >= 0 ? argv.slice(dd + 1).join(' ') : 'uname -a; ls -l /dev/i2c-* /dev/gpiochip* /dev/ttyS*';
  const chains: ChainPort[] = [];
  let net = false;
  let timeoutMs = 240_000;
  let gpioLines = 113;
  for (let i = 0; i < opts.length; i++) {
    if (opts[i] === '--net') net = true;
    else if (opts[i] === '--timeout') timeoutMs = Number(opts[++i]) * 1000;
    else if (opts[i] === '--gpio-lines') gpioLines = Number(opts[++i]);
    else if (opts[i] === '--tty' || opts[i] === '--socket') {
      const [n, p] = opts[++i].split('=');
      chains[Number(n)] = opts[i - 1] === '--tty' ? { tty: p } : { socket: p };
    } else {
      process.stderr.write(`unknown option ${opts[i]}\n`);
      process.exit(2);
    }
  }
  const r = await bootGuest({ command, chains, net, timeoutMs, gpioLines, log: (l) => process.stderr.write(l + '\n') });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.stderr.write(`guest exit ${r.code}; wall ${r.timings.wallMs} ms, ready at ${r.timings.readyWallMs} ms wall, guest uptime ${JSON.stringify(r.timings.guest)}\n`);
  process.exit(r.code);
}
if (require.main === module) void cli();
