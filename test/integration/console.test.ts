import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../helpers/net';
import { TmuxTerminal } from '../helpers/tmuxTerminal';
import { localRequest } from '../../src/api/local/client';
import { deviceKeyPath } from '../../src/config';

/**
 * The serial console as a technician meets it: `kabosu console --tty` served on a PTY (socat in a
 * tmux pane is the USB-serial adapter and the terminal emulator), a `kabosu run` daemon mining on
 * simulated boards, keys typed with tmux send-keys and the screen read with capture-pane.
 */
const bin = join(__dirname, '../../bin/kabosu.js');
const dir = mkdtempSync(join(tmpdir(), 'kabosu-console-'));
const cfgPath = join(dir, 'config.json');
const dataDir = join(dir, 'data');
const logFile = join(dir, 'daemon.log');
const uart = join(dir, 'uart');
const rebooted = join(dir, 'rebooted');
const sock = join(dataDir, 'kabosu.sock');
const PASSWORD = 'rack-Tech-pw-42';
const POOL_SECRET = 'new-pool-secret-Qz9';
const env = { ...process.env } as NodeJS.ProcessEnv;
for (const k of Object.keys(env)) if (k.startsWith('KABOSU_')) delete env[k];
delete env.TMUX;
const procs: ChildProcess[] = [];
let consoleOut = '';
let consoleProc: ChildProcess;
let term: TmuxTerminal;
let extraPids: number[] = [];

function startDaemon(): ChildProcess {
  const fd = openSync(logFile, 'a');
  const d = spawn(process.execPath, [bin, 'run', '--config', cfgPath, '--data-dir', dataDir], { cwd: dir, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  procs.push(d);
  return d;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const status = (): Promise<any> => localRequest(sock, 'GET', '/v1/status');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const events = (): Promise<any[]> => localRequest(sock, 'GET', '/v1/events?limit=500');

/** Runs a command at the prompt; resolves with what it printed up to the next prompt. */
async function run(cmd: string, ms = 15_000, prompt = /rack7-m1> $/m): Promise<string> {
  const marker = `rack7-m1> ${cmd}`;
  term.type(cmd);
  await term.waitFor(new RegExp(`${prompt.source}`, 'm'), ms, marker);
  return term.after(marker);
}

test.before(async () => {
  mkdirSync(dataDir);
  const port = await freePort();
  writeFileSync(
    cfgPath,
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
  startDaemon();
  term = new TmuxTerminal('console', `socat STDIO,rawer PTY,link=${uart},rawer,b115200`);
  await until('the PTY', () => existsSync(uart), 10_000);
  consoleProc = spawn(
    process.execPath,
    [bin, 'console', '--tty', uart, '--config', cfgPath, '--data-dir', dataDir, '--log-file', logFile, '--term', 'dumb', '--reboot-command', `touch ${rebooted}`],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  procs.push(consoleProc);
  consoleProc.stdout!.on('data', (d) => (consoleOut += String(d)));
  consoleProc.stderr!.on('data', (d) => (consoleOut += String(d)));
  await until('the daemon mining', async () => (await status().catch(() => null))?.state === 'mining', 60_000);
});

test.after(async () => {
  term?.kill();
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  for (const p of procs.reverse()) {
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('first login sets the admin password (twice, at least 8 characters); it is never echoed; the hash is salted scrypt', async () => {
  term.type('');
  await term.waitFor(/new admin password: $/m);
  term.type('short');
  await term.waitFor(/again: $/m);
  term.type('short');
  await term.waitFor(/at least 8 characters/);
  await term.waitFor(/new admin password: $/m);
  term.type(PASSWORD);
  await term.waitFor(/again: $/m);
  term.type(PASSWORD + 'x');
  await term.waitFor(/the two entries differ/);
  term.type(PASSWORD);
  term.type(PASSWORD);
  await term.waitFor(/rack7-m1> $/m);
  assert.not.ok(term.screen().includes(PASSWORD), 'the password appeared on the screen');
  const stored = JSON.parse(readFileSync(join(dataDir, 'admin-password.json'), 'utf8'));
  assert.is(stored.algorithm, 'scrypt');
  assert.ok(Buffer.from(stored.salt, 'base64').length >= 16);
  assert.not.ok(readFileSync(join(dataDir, 'admin-password.json'), 'utf8').includes(PASSWORD));
});

test('help lists every command; help NAME explains one', async () => {
  const out = await run('help');
  for (const c of ['status', 'chains', 'chip CHAIN CHIP', 'temps', 'fans', 'power', 'pools', 'diag', 'events', 'logs', 'config show', 'net', 'pause', 'resume', 'fan test', 'identify', 'ota status', 'reboot', 'factory-reset', 'why', 'start']) {
    assert.ok(out.includes(c), `help lacks ${c}`);
  }
  assert.match(await run('help chip'), /chip CHAIN CHIP\n\s+one chip: frequency, nonces, HW errors/);
});

test('read-only commands show the mining daemon: status, chains, chip, temps, fans, power, pools', async () => {
  const s = await status();
  assert.match(await run('status'), /rack7-m1\s+kabosu \S+\s+mining[\s\S]*hashrate 5s [\d.]+ [kMG]H\/s[\s\S]*interlock armed/);
  const chains = await run('chains');
  for (const c of s.chains) assert.match(chains, new RegExp(`\\n${c.index}\\s+${c.chips_found}/${c.chips_expected}\\s+\\d+ MHz`));
  assert.match(await run('chip 2 17'), /chain 2 chip 17: (ok|unknown|degraded)\nfrequency\s+\d+ MHz[\s\S]*nonces\s+\d+\nhw errors\s+\d+[\s\S]*temperature\s+[\d.]+ C/);
  assert.match(await run('chip 9 1'), /no chain 9 \(chains: 0, 1, 2, 3\)/);
  assert.match(await run('chip x'), /chip needs a chain and a chip number/);
  assert.match(await run('temps'), /mode auto, target \d+ C[\s\S]*\n0\s+[\d.]+\s+[\d.]+\s+ok[\s\S]*interlock armed/);
  assert.match(await run('fans'), /fan\s+rpm\s+duty\s+ok\n0\s+\d+\s+\d+ %\s+yes/);
  assert.match(await run('power'), /wall|power readback is not running/);
  assert.match(await run('pools'), /\np \*\s+ready\s+[\d.]+ ms\s+4096/);
});

test('diag runs the daemon diagnostics with progress; net shows interfaces, gateway, DNS, pool reachability', async () => {
  const d = await run('diag', 60_000);
  assert.match(d, /running diagnostics[^\n]*[\d.]+ s\nkabosu diag \(daemon, simulated boards\) l3plus: ALL OK/);
  const n = await run('net');
  assert.match(n, /\nlo\s+mac 00:00:00:00:00:00\s+127\.0\.0\.1\/8/);
  assert.match(n, /gateway\s+/);
  assert.match(n, /dns\s+/);
  assert.match(n, /pool p 127\.0\.0\.1:\d+ \(127\.0\.0\.1\): reachable, TCP connect [\d.]+ ms/);
  assert.match(await run('ota status'), /not available/);
});

test('every login and command is in the event log; events and logs filter; follow ends with Ctrl-C', async () => {
  const ev = await events();
  assert.ok(ev.some((e) => e.kind === 'console_login' && e.source === 'console'));
  assert.ok(ev.some((e) => e.kind === 'console_command' && e.message === 'chip 2 17'));
  assert.match(await run('events -n 3 source=console'), /\[console\] console_command: (help chip|status|chains|chip 2 17|temps|fans|power|pools|diag|net|ota status)/);
  assert.match(await run('logs -n 5 component=daemon'), /info\s+\[daemon\]/);
  assert.match(await run('events level=banana'), /level=banana: not understood/);
  term.type('events -f level=warning');
  await term.waitFor(/-- following; Ctrl-C ends --/);
  await localRequest(sock, 'POST', '/v1/events', 2000, { kind: 'console_probe', message: 'a warning while following', severity: 'warning' });
  await localRequest(sock, 'POST', '/v1/events', 2000, { kind: 'console_probe', message: 'an info line filtered out', severity: 'info' });
  await term.waitFor(/warning \[console\] console_probe: a warning while following/);
  term.keys('C-c');
  await term.waitFor(/\^C\nrack7-m1> $/m);
  assert.not.ok(term.after('events -f level=warning').includes('an info line filtered out'));
  term.type('logs -f component=mining');
  await term.waitFor(/-- following; Ctrl-C ends --/, 5000, 'logs -f component=mining');
  await localRequest(sock, 'POST', '/v1/commands/pause', 10_000, { reason: 'test' });
  await term.waitFor(/\[mining\]/, 10_000, '-- following; Ctrl-C ends --');
  term.keys('C-c');
  await term.waitFor(/rack7-m1> $/m, 5000, 'logs -f component=mining');
  await localRequest(sock, 'POST', '/v1/commands/resume', 10_000);
});

test('line editing: backspace, Ctrl-U, Ctrl-W, arrows and history, tab completion', async () => {
  term.type('stat', false);
  term.keys('BSpace', 'BSpace');
  term.type('atus');
  await term.waitFor(/rack7-m1> $/m, 10_000, 'rack7-m1> status');
  term.type('reboot now please', false);
  term.keys('C-u');
  term.type('pools');
  await term.waitFor(/\np \*/, 10_000, 'pools');
  term.type('fans extra', false);
  term.keys('C-w', 'C-w');
  term.type('temps');
  await term.waitFor(/mode auto, target/, 10_000, 'temps');
  term.keys('Up', 'Up', 'Enter');
  await term.waitFor(/\np \*\s+ready/, 10_000, 'temps');
  term.type('cha', false);
  term.keys('Tab', 'Enter');
  await term.waitFor(/chain\s+chips\s+freq/, 10_000, 'rack7-m1> chains');
  term.type('config s', false);
  term.keys('Tab', 'Tab');
  await term.waitFor(/show  set/);
  term.keys('C-u');
  term.type('fan', false);
  term.keys('Left', 'Left', 'Left', 'Right', 'Right', 'Right');
  term.type(' test 1');
  await term.waitFor(/type yes to confirm: $/m);
  term.type('no');
  await term.waitFor(/not confirmed; nothing done/);
  const ev = await events();
  assert.not.ok(ev.some((e) => e.kind === 'console_command' && /reboot|extra/.test(e.message)), 'an erased line was run');
});

test('actions ask first; pause/resume, fan test back to auto, identify; the interlock stays armed throughout', async () => {
  term.type('pause');
  await term.waitFor(/type yes to confirm: $/m, 10_000, 'rack7-m1> pause');
  term.type('yes');
  await term.waitFor(/paused/, 15_000, 'rack7-m1> pause');
  await term.waitFor(/rack7-m1> $/m, 5000, 'rack7-m1> pause');
  assert.is((await status()).state, 'paused');
  term.type('resume');
  await term.waitFor(/type yes to confirm: $/m);
  term.type('yes');
  await term.waitFor(/resumed/, 15_000, 'rack7-m1> resume');
  term.type('fan test 2');
  await term.waitFor(/type yes to confirm: $/m);
  term.type('yes');
  await term.waitFor(/fan mode manual at 100 %[\s\S]*2s fan0 \d+ rpm[\s\S]*fan mode auto\nrack7-m1> $/m, 20_000, 'fan test 2');
  const s = await status();
  assert.is(s.thermal.mode, 'auto');
  assert.ok(s.thermal.interlock.armed);
  term.type('fan test 30');
  await term.waitFor(/type yes to confirm: $/m);
  term.type('yes');
  await term.waitFor(/1s fan0/, 10_000, 'fan test 30');
  term.keys('C-c');
  await term.waitFor(/stopped\nfan mode auto\nrack7-m1> $/m, 10_000, 'fan test 30');
  assert.is((await status()).thermal.mode, 'auto');
  assert.match(await run('identify 3'), /blinking the LEDs for 3 s/);
  assert.ok((await status()).thermal.interlock.armed);
});

test('config: validate, set validated like every edit (bad value: nothing written), secrets only by prompt and stored encrypted', async () => {
  assert.match(await run('config validate'), /config\.json: ok/);
  const before = readFileSync(cfgPath, 'utf8');
  assert.match(await run('config set thermal.targetC hot'), /rejected, nothing stored:\n\s+.*thermal\/targetC/);
  assert.match(await run('config set nosuch.key 3'), /rejected, nothing stored/);
  assert.is(readFileSync(cfgPath, 'utf8'), before);
  assert.match(await run(`config set pools.0.password ${POOL_SECRET}`), /is a secret: it is never typed on the command line. Nothing stored/);
  term.type('config set pools.0.password');
  await term.waitFor(/\(not echoed\): $/m);
  term.type(POOL_SECRET);
  await term.waitFor(/again: $/m);
  term.type(POOL_SECRET);
  await term.waitFor(/\/pools\/0\/password stored encrypted/);
  const after = readFileSync(cfgPath, 'utf8');
  assert.not.ok(after.includes(POOL_SECRET));
  assert.match(JSON.parse(after).pools[0].password, /^enc:/);
  assert.match(await run('config set logging.level debug'), /\/logging\/level = "debug" in .*; the daemon applies it without a restart/);
  await until('the reload', () => readFileSync(logFile, 'utf8').includes('config reloaded'), 15_000);
  const shown = await run('config show pools');
  assert.match(shown, /"password": "\*\*\*"/);
  // the secret typed by mistake on the command line is in no record
  const ev = JSON.stringify(await events());
  assert.not.ok(ev.includes(POOL_SECRET));
  assert.not.ok(readFileSync(logFile, 'utf8').includes(POOL_SECRET));
  assert.not.ok(consoleOut.includes(POOL_SECRET));
  await run('config set logging.level info');
});

test('line noise and binary garbage: nothing runs, nothing crashes, the prompt comes back', async () => {
  const since = Date.now();
  // seeded garbage with CRs in it, and a command hidden in noise
  let seed = 0x2f6e2b1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff;
  const garbage = Buffer.from(Array.from({ length: 600 }, (_, i) => (i % 50 === 49 ? 0x0d : rnd())));
  term.bytes(garbage);
  term.bytes(Buffer.from('\x00reboot\r\xffpause\r\x1b[99zfactory-reset\r'));
  term.keys('C-u');
  term.type('status');
  await term.waitFor(/ignored: the line had \d+ unexpected bytes?/);
  await term.waitFor(/rack7-m1  kabosu \S+  mining/, 20_000, 'factory-reset');
  assert.ok(consoleProc.exitCode === null, 'the console exited');
  assert.not.ok(existsSync(rebooted), 'reboot ran from noise');
  const ev = (await events()).filter((e) => e.at_ms >= since && e.kind === 'console_command');
  assert.equal(ev.map((e) => e.message), ['status']);
  assert.is((await status()).state, 'mining');
});

test('wrong passwords: refused, then locked out with backoff (the right one is refused while locked); every try is logged', async () => {
  assert.match(await run('logout', 10_000, /password: $/), /password: $/m);
  for (let i = 0; i < 4; i++) {
    term.type(`wrong-${i}-guess`);
    await until(`failure ${i}`, () => (term.screen().match(/wrong password/g) ?? []).length >= i + 1, 10_000);
  }
  await term.waitFor(/too many failed logins: locked for [1-5] s/);
  term.type(PASSWORD); // typed during the lockout: ignored
  await new Promise((r) => setTimeout(r, 1500));
  assert.not.ok(/rack7-m1> $/m.test(term.after('too many failed logins')), 'logged in during the lockout');
  await term.waitFor(/password: $/m, 15_000, 'too many failed logins');
  term.type(PASSWORD);
  await term.waitFor(/rack7-m1> $/m, 10_000);
  assert.not.ok(term.screen().includes('wrong-0-guess'));
  const ev = await events();
  assert.ok(ev.filter((e) => e.kind === 'console_login_failed').length >= 4);
  const lock = join(dataDir, 'console-login.json');
  assert.not.ok(existsSync(lock), 'a good login clears the failure count');
});

test('the adapter unplugged (PTY closed) and plugged back: the console survives and asks for a fresh login', async () => {
  term.clear();
  term.respawn();
  await until('console noticed', () => /console line closed/.test(consoleOut), 10_000);
  await until('console reopened', () => (consoleOut.match(/console line open/g) ?? []).length >= 2, 15_000);
  term.type('');
  await term.waitFor(/password: $/m, 10_000);
  term.type(PASSWORD);
  await term.waitFor(/rack7-m1> $/m);
  assert.ok((await events()).some((e) => e.kind === 'console_logout' && e.data?.reason === 'hangup'));
});

test('rescue: daemon down -> the console says why, fixes the config and starts the daemon', async () => {
  // break the config the way a bad hand edit does, and stop the daemon
  const good = readFileSync(cfgPath, 'utf8');
  const d = procs[0];
  const gone = new Promise((r) => d.once('exit', r));
  d.kill('SIGTERM');
  await gone;
  writeFileSync(cfgPath, good.replace(/("mining":\s*\{\s*"enabled":\s*)true/, '$1"yes"'));
  assert.ok(readFileSync(cfgPath, 'utf8').includes('"yes"'));
  const r = spawnSync(process.execPath, [bin, 'run', '--config', cfgPath, '--data-dir', dataDir], { env, encoding: 'utf8', timeout: 30_000 });
  writeFileSync(logFile, readFileSync(logFile, 'utf8') + r.stdout + r.stderr);
  assert.is(r.status, 2);
  term.type('');
  await term.waitFor(/rack7-m1\(rescue\)> $/m, 10_000);
  term.type('status');
  await term.waitFor(/the daemon is not running, and status needs it/);
  term.type('why');
  await term.waitFor(/daemon: not running[\s\S]*last warnings and errors:[\s\S]*mining\/enabled[\s\S]*next: config validate/, 10_000, 'rescue)> why');
  term.type('config validate');
  await term.waitFor(/invalid\n\s+.*\/mining\/enabled/, 10_000, 'rescue)> config validate');
  term.type('config set mining.enabled true');
  await term.waitFor(/\/mining\/enabled = true/, 10_000, 'rescue)> config set mining.enabled true');
  term.type('start');
  await term.waitFor(/type yes to confirm: $/m, 10_000, 'rescue)> start');
  term.type('yes');
  const out = await term.waitFor(/the daemon is up/, 60_000, 'rescue)> start');
  const pid = Number(/started kabosu run \(pid (\d+)\)/.exec(out)?.[1]);
  if (pid) extraPids.push(pid);
  await until('mining again', async () => (await status().catch(() => null))?.state === 'mining', 60_000);
  term.type('');
  await term.waitFor(/rack7-m1> $/m, 10_000);
});

test('kabosu console on the local terminal: login, colour on a colour TERM, idle timeout logs out and ends it', async () => {
  const local = new TmuxTerminal('local', `env TERM=xterm-256color ${process.execPath} ${bin} console --config ${cfgPath} --data-dir ${dataDir} --idle-timeout 3`);
  try {
    await local.waitFor(/password: $/m, 20_000);
    local.type(PASSWORD);
    await local.waitFor(/rack7-m1> $/m, 10_000);
    local.type('status');
    await local.waitFor(/mining[\s\S]*rack7-m1> $/m, 10_000, 'rack7-m1> status');
    // colour: the state is green on xterm (SGR 32), never on the dumb serial line
    assert.match(local.tmux(['capture-pane', '-p', '-e', '-t', 't']), /\x1b\[32m\s*mining/);
    assert.not.match(term.tmux(['capture-pane', '-p', '-e', '-S', '-20000', '-t', 't']), /\x1b\[3[12]m/);
    await local.waitFor(/idle for 3 s: logged out/, 10_000);
    // the process ends (under c8 its exit writes a coverage profile: slow on a loaded machine)
    await local.waitFor(/Pane is dead/, 40_000);
  } finally {
    local.kill();
  }
});

test('reboot powers the boards off first; factory-reset needs the typed word, erases secrets and the password', async () => {
  term.type('reboot');
  await term.waitFor(/type yes to confirm: $/m);
  term.type('yes');
  await term.waitFor(/rebooting/, 15_000, 'rack7-m1> reboot');
  assert.ok(existsSync(rebooted));
  assert.is((await status()).state, 'paused');
  assert.ok((await status()).thermal.interlock.armed);
  term.type('factory-reset');
  await term.waitFor(/type factory-reset to confirm: $/m);
  term.type('yes');
  await term.waitFor(/not confirmed; nothing done/, 5000, 'rack7-m1> factory-reset');
  assert.ok(existsSync(join(dataDir, 'admin-password.json')));
  term.type('factory-reset');
  await term.waitFor(/type factory-reset to confirm: $/m, 5000, 'not confirmed');
  term.type('factory-reset');
  await term.waitFor(/new admin password: $/m, 15_000, 'to confirm: factory-reset');
  assert.not.ok(existsSync(join(dataDir, 'admin-password.json')));
  assert.not.ok(existsSync(deviceKeyPath(dataDir)), 'the device key survived');
  assert.equal(JSON.parse(readFileSync(cfgPath, 'utf8')), { version: 1 });
});

test.run();
