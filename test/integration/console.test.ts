import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localRequest } from '../../src/api/local/client';
import { TmuxTerminal } from '../helpers/tmuxTerminal';
import { ConsoleRig, PASSWORD, until } from '../helpers/consoleRig';

/**
 * The serial console through a real PTY driven by tmux, as a technician at a terminal: first
 * login, help, every read-only command against a mining `kabosu run`, the event log and follow
 * mode, line editing, line noise, wrong passwords and lockout, the adapter unplugged.
 */
const rig = new ConsoleRig('console');
const { run, status, events, sock, dataDir, rebooted } = rig;
let term: TmuxTerminal;

test.before(async () => {
  await rig.start();
  term = rig.term;
});

test.after(() => rig.stop());

test('first login sets the admin password (twice, at least 8 characters); it is never echoed; the hash is salted scrypt', async () => {
  term.type('');
  await term.waitFor(/new admin password: \s*$/);
  term.type('short');
  await term.waitFor(/again: \s*$/);
  term.type('short');
  await term.waitFor(/at least 8 characters/);
  await term.waitFor(/new admin password: \s*$/);
  term.type(PASSWORD);
  await term.waitFor(/again: \s*$/);
  term.type(PASSWORD + 'x');
  await term.waitFor(/the two entries differ/);
  term.type(PASSWORD);
  term.type(PASSWORD);
  await term.waitFor(/rack7-m1> \s*$/);
  assert.not.ok(term.screen().includes(PASSWORD), 'the password appeared on the screen');
  const stored = JSON.parse(readFileSync(join(dataDir, 'admin-password.json'), 'utf8'));
  assert.is(stored.kdf, 'scrypt');
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
  await term.waitFor(/\^C\nrack7-m1> \s*$/);
  assert.not.ok(term.after('events -f level=warning').includes('an info line filtered out'));
  term.type('logs -f component=mining');
  await term.waitFor(/-- following; Ctrl-C ends --/, 5000, 'logs -f component=mining');
  await localRequest(sock, 'POST', '/v1/commands/pause', 10_000, { reason: 'test' });
  await term.waitFor(/\[mining\]/, 10_000, '-- following; Ctrl-C ends --');
  term.keys('C-c');
  await term.waitFor(/rack7-m1> \s*$/, 5000, 'logs -f component=mining');
  await localRequest(sock, 'POST', '/v1/commands/resume', 10_000);
});

test('line editing: backspace, Ctrl-U, Ctrl-W, arrows and history, tab completion', async () => {
  term.type('stat', false);
  term.keys('BSpace', 'BSpace');
  term.type('atus');
  await term.waitFor(/rack7-m1> \s*$/, 10_000, 'rack7-m1> status');
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
  await term.waitFor(/type yes to confirm: \s*$/);
  term.type('no');
  await term.waitFor(/not confirmed; nothing done/);
  const ev = await events();
  assert.not.ok(ev.some((e) => e.kind === 'console_command' && /reboot|extra/.test(e.message)), 'an erased line was run');
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
  assert.ok(rig.consoleProc.exitCode === null, 'the console exited');
  assert.not.ok(existsSync(rebooted), 'reboot ran from noise');
  const ev = (await events()).filter((e) => e.at_ms >= since && e.kind === 'console_command');
  assert.equal(ev.map((e) => e.message), ['status']);
  assert.is((await status()).state, 'mining');
});

test('wrong passwords: refused, then locked out with backoff (the right one is refused while locked); every try is logged', async () => {
  assert.match(await run('logout', 10_000, /password: \s*$/), /password: \s*$/);
  for (let i = 0; i < 4; i++) {
    term.type(`wrong-${i}-guess`);
    await until(`failure ${i}`, () => (term.screen().match(/wrong password/g) ?? []).length >= i + 1, 10_000);
  }
  await term.waitFor(/too many failed logins: locked for [1-5] s/);
  term.type(PASSWORD); // typed during the lockout: ignored
  await new Promise((r) => setTimeout(r, 1500));
  assert.not.ok(/rack7-m1> \s*$/.test(term.after('too many failed logins')), 'logged in during the lockout');
  await term.waitFor(/password: \s*$/, 15_000, 'too many failed logins');
  term.type(PASSWORD);
  await term.waitFor(/rack7-m1> \s*$/, 10_000);
  assert.not.ok(term.screen().includes('wrong-0-guess'));
  const ev = await events();
  assert.ok(ev.filter((e) => e.kind === 'console_login_failed').length >= 4);
  const lock = join(dataDir, 'console-login.json');
  assert.not.ok(existsSync(lock), 'a good login clears the failure count');
});

test('the adapter unplugged (PTY closed) and plugged back: the console survives and asks for a fresh login', async () => {
  term.clear();
  term.respawn();
  await until('console noticed', () => /console line closed/.test(rig.consoleOut), 10_000);
  await until('console reopened', () => (rig.consoleOut.match(/console line open/g) ?? []).length >= 2, 15_000);
  term.type('');
  await term.waitFor(/password: \s*$/, 10_000);
  term.type(PASSWORD);
  await term.waitFor(/rack7-m1> \s*$/);
  assert.ok((await events()).some((e) => e.kind === 'console_logout' && e.data?.reason === 'hangup'));
});

test.run();
