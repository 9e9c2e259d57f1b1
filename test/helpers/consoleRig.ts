import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from './net';
import { TmuxTerminal } from './tmuxTerminal';
import { localRequest } from '../../src/api/local/client';

/**
 * The serial console as a technician meets it: `kabosu console --tty` served on a PTY (socat in a
 * tmux pane is the USB-serial adapter and the terminal emulator) next to a `kabosu run` daemon
 * mining on simulated boards (its log in `logFile`). Keys by tmux send-keys, screen by capture-pane.
 */
export const PASSWORD = 'rack-Tech-pw-42';

export class ConsoleRig {
  readonly bin = join(__dirname, '../../bin/kabosu.js');
  readonly dir: string;
  readonly cfgPath: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly uart: string;
  readonly rebooted: string;
  readonly sock: string;
  readonly env: NodeJS.ProcessEnv;
  readonly procs: ChildProcess[] = [];
  readonly extraPids: number[] = [];
  consoleOut = '';
  consoleProc!: ChildProcess;
  term!: TmuxTerminal;

  constructor(private readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `kabosu-${name}-`));
    this.cfgPath = join(this.dir, 'config.json');
    this.dataDir = join(this.dir, 'data');
    this.logFile = join(this.dir, 'daemon.log');
    this.uart = join(this.dir, 'uart');
    this.rebooted = join(this.dir, 'rebooted');
    this.sock = join(this.dataDir, 'kabosu.sock');
    this.env = { ...process.env };
    for (const k of Object.keys(this.env)) if (k.startsWith('KABOSU_')) delete this.env[k];
    delete this.env.TMUX;
  }

  startDaemon(): ChildProcess {
    const fd = openSync(this.logFile, 'a');
    const d = spawn(process.execPath, [this.bin, 'run', '--config', this.cfgPath, '--data-dir', this.dataDir], { cwd: this.dir, env: this.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.procs.push(d);
    return d;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status = (): Promise<any> => localRequest(this.sock, 'GET', '/v1/status');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  events = (): Promise<any[]> => localRequest(this.sock, 'GET', '/v1/events?limit=500');

  /** Runs a command at the prompt; resolves with what it printed up to the next prompt. */
  run = async (cmd: string, ms = 15_000, prompt = /rack7-m1> \s*$/): Promise<string> => {
    const marker = `rack7-m1> ${cmd}`;
    this.term.type(cmd);
    await this.term.waitFor(new RegExp(prompt.source), ms, marker);
    return this.term.after(marker);
  };

  async start(): Promise<void> {
    mkdirSync(this.dataDir);
    const port = await freePort();
    writeFileSync(
      this.cfgPath,
      JSON.stringify({
        version: 1,
        device: { id: 'rack7-m1' },
        mining: { enabled: true },
        pools: [{ name: 'p', url: `stratum+tcp://127.0.0.1:${port}`, user: 'w.1', password: 'x' }],
        hashboards: { backend: 'sim', model: 'l3plus', sim: { seed: 5, pow: 'scrypt-sim', transport: 'stream' } },
        testPool: { enabled: true, host: '127.0.0.1', port, pow: 'scrypt-sim', difficulty: 4096 },
        api: { http: { enabled: false }, cgminer: { enabled: false } },
      }),
    );
    this.startDaemon();
    this.term = new TmuxTerminal(this.name, `socat STDIO,rawer PTY,link=${this.uart},rawer,b115200`);
    await until('the PTY', () => existsSync(this.uart), 10_000);
    this.consoleProc = spawn(
      process.execPath,
      [this.bin, 'console', '--tty', this.uart, '--config', this.cfgPath, '--data-dir', this.dataDir, '--log-file', this.logFile, '--term', 'dumb', '--reboot-command', `touch ${this.rebooted}`],
      { cwd: this.dir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.procs.push(this.consoleProc);
    this.consoleProc.stdout!.on('data', (d) => (this.consoleOut += String(d)));
    this.consoleProc.stderr!.on('data', (d) => (this.consoleOut += String(d)));
    await until('the daemon mining', async () => (await this.status().catch(() => null))?.state === 'mining', 90_000);
  }

  /** First login on a fresh device: sets PASSWORD. */
  async firstLogin(): Promise<void> {
    this.term.type('');
    await this.term.waitFor(/new admin password: \s*$/);
    this.term.type(PASSWORD);
    await this.term.waitFor(/again: \s*$/);
    this.term.type(PASSWORD);
    await this.term.waitFor(/rack7-m1> \s*$/);
  }

  async stop(): Promise<void> {
    this.term?.kill();
    for (const pid of this.extraPids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    for (const p of [...this.procs].reverse()) {
      if (p.exitCode === null && p.signalCode === null) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (p.exitCode === null) p.kill('SIGKILL');
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
