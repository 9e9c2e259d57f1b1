import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * The serial line itself, with no daemon at all (the console's rescue mode): the console sets
 * the line to 115200 8N1 raw, takes input paced at 115200 baud (11 bytes per millisecond, escape
 * sequences split across writes), survives a flood of binary garbage without running anything,
 * and treats Ctrl-D on the line as noise rather than a logout. The test is the terminal: socat
 * links a PTY to its pipes.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-console-line-'));
const uart = join(dir, 'uart');
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
let socat: ChildProcess;
let con: ChildProcess;
let screen = '';
let log = '';

function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() > end) {
        clearInterval(t);
        reject(new Error(`timed out: ${what}\nscreen:\n${screen.slice(-1500)}\nlog:\n${log.slice(-1500)}`));
      }
    }, 20);
  });
}

/** Writes at 115200 baud 8N1 (10 bits a byte): 11 bytes each millisecond. */
async function paced(text: string | Buffer): Promise<void> {
  const b = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for (let i = 0; i < b.length; i += 11) {
    socat.stdin!.write(b.subarray(i, i + 11));
    await new Promise((r) => setTimeout(r, 1));
  }
}

const count = (re: RegExp) => (screen.match(re) ?? []).length;

test.before(async () => {
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ version: 1, device: { id: 'line-test' } }));
  socat = spawn('socat', ['STDIO', `PTY,link=${uart},rawer,b9600`], { stdio: ['pipe', 'pipe', 'inherit'] });
  socat.stdout!.on('data', (d) => (screen += d.toString('latin1')));
  await until('the PTY', () => existsSync(uart));
  con = spawn(process.execPath, [bin, 'console', '--tty', uart, '--config', join(dir, 'config.json'), '--data-dir', join(dir, 'data'), '--term', 'dumb'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  con.stdout!.on('data', (d) => (log += String(d)));
  con.stderr!.on('data', (d) => (log += String(d)));
  await until('line open', () => log.includes('console line open'));
});

test.after(() => {
  con?.kill('SIGTERM');
  socat?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('the console sets its line to 115200 8N1 raw (socat opened it at 9600)', () => {
  const s = spawnSync('stty', ['-F', uart, '-a'], { encoding: 'utf8' });
  assert.match(s.stdout, /speed 115200 baud/);
  assert.match(s.stdout, /(^|\s)cs8(\s|$)/m);
  assert.match(s.stdout, /-cstopb/);
  assert.match(s.stdout, /-parenb/);
  assert.match(s.stdout, /-echo(\s|$)/);
});

test('input paced at 115200 baud: password set, login, commands, a split Up arrow recalls history', async () => {
  await paced('\r');
  await until('first-login prompt', () => /new admin password: $/.test(screen));
  await paced('paced-pw-115200\r');
  await until('again', () => /again: $/.test(screen));
  await paced('paced-pw-115200\r');
  await until('prompt', () => /kabosu\(rescue\)> $/.test(screen));
  assert.not.ok(screen.includes('paced-pw-115200'));
  await paced('ota status\r');
  await until('ota', () => /OTA updates: not available in this build\r\nkabosu\(rescue\)> $/.test(screen));
  await paced('\x1b');
  await paced('[');
  await paced('A\r');
  await until('history recall', () => count(/OTA updates: not available/g) === 2);
  await paced('status\r');
  await until('rescue refusal', () => /the daemon is not running, and status needs it/.test(screen));
  await paced('why\r');
  await until('why', () => /daemon: not running \(control socket [^)]*kabosu\.sock\)/.test(screen));
});

test('a flood of binary garbage (and Ctrl-D) runs nothing, does not log out, does not crash', async () => {
  let seed = 20261207;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff;
  const before = (log.match(/"event":"console_command"/g) ?? []).length;
  const flood = Buffer.from(Array.from({ length: 16 * 1024 }, () => rnd()));
  // at full speed, no pacing: as a wrong-baud adapter or a noisy line would
  socat.stdin!.write(flood);
  socat.stdin!.write(Buffer.from('\x04\x04\r\x00ota status\r'));
  await new Promise((r) => setTimeout(r, 1500));
  await paced('\x15ota status\r');
  await until('the console answers after the flood', () => /OTA updates: not available in this build\r\nkabosu\(rescue\)> $/.test(screen.slice(-200)), 20_000);
  assert.is(con.exitCode, null, 'the console exited');
  const after = (log.match(/"event":"console_command"/g) ?? []).length;
  assert.is(after - before, 1, 'only the clean line ran');
  assert.not.ok(/session ended \(eof\)/.test(log), 'Ctrl-D on the line logged out');
  assert.match(log, /console line with line noise ignored/);
});

test.run();
