import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceKeyPath } from '../../src/config';
import { TmuxTerminal } from '../helpers/tmuxTerminal';
import { ConsoleRig, PASSWORD, until } from '../helpers/consoleRig';

/**
 * The serial console's actions, config edits and rescue, through a real PTY driven by tmux against
 * a mining `kabosu run`: confirmations, the interlock kept armed, validated config edits and
 * secrets by prompt, the daemon down and started again, the local terminal, reboot, factory reset.
 */
const rig = new ConsoleRig('console-actions');
const { run, status, events, dataDir, cfgPath, logFile, rebooted, bin, env, procs } = rig;
const POOL_SECRET = 'new-pool-secret-Qz9';
let term: TmuxTerminal;

test.before(async () => {
  await rig.start();
  term = rig.term;
});

test.after(() => rig.stop());

test('first login on a fresh device sets the password', async () => {
  await rig.firstLogin();
});

test('actions ask first; pause/resume, fan test back to auto, identify; the interlock stays armed throughout', async () => {
  term.type('pause');
  await term.waitFor(/type yes to confirm: \s*$/, 10_000, 'rack7-m1> pause');
  term.type('yes');
  await term.waitFor(/paused/, 15_000, 'rack7-m1> pause');
  await term.waitFor(/rack7-m1> \s*$/, 5000, 'rack7-m1> pause');
  assert.is((await status()).state, 'paused');
  term.type('resume');
  await term.waitFor(/type yes to confirm: \s*$/);
  term.type('yes');
  await term.waitFor(/resumed/, 15_000, 'rack7-m1> resume');
  term.type('fan test 2');
  await term.waitFor(/type yes to confirm: \s*$/);
  term.type('yes');
  await term.waitFor(/fan mode manual at 100 %[\s\S]*2s fan0 \d+ rpm[\s\S]*fan mode auto\nrack7-m1> \s*$/, 20_000, 'fan test 2');
  const s = await status();
  assert.is(s.thermal.mode, 'auto');
  assert.ok(s.thermal.interlock.armed);
  term.type('fan test 30');
  await term.waitFor(/type yes to confirm: \s*$/);
  term.type('yes');
  await term.waitFor(/1s fan0/, 10_000, 'fan test 30');
  term.keys('C-c');
  await term.waitFor(/stopped\nfan mode auto\nrack7-m1> \s*$/, 10_000, 'fan test 30');
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
  await term.waitFor(/\(not echoed\): \s*$/);
  term.type(POOL_SECRET);
  await term.waitFor(/again: \s*$/);
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
  assert.not.ok(rig.consoleOut.includes(POOL_SECRET));
  await run('config set logging.level info');
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
  await term.waitFor(/rack7-m1\(rescue\)> \s*$/, 10_000);
  term.type('status');
  await term.waitFor(/the daemon is not running, and status needs it/);
  term.type('why');
  await term.waitFor(/daemon: not running[\s\S]*last warnings and errors:[\s\S]*mining\/enabled[\s\S]*next: config validate/, 10_000, 'rescue)> why');
  term.type('config validate');
  await term.waitFor(/invalid\n\s+.*\/mining\/enabled/, 10_000, 'rescue)> config validate');
  term.type('config set mining.enabled true');
  await term.waitFor(/\/mining\/enabled = true/, 10_000, 'rescue)> config set mining.enabled true');
  term.type('start');
  await term.waitFor(/type yes to confirm: \s*$/, 10_000, 'rescue)> start');
  term.type('yes');
  const out = await term.waitFor(/the daemon is up/, 60_000, 'rescue)> start');
  const pid = Number(/started kabosu run \(pid (\d+)\)/.exec(out)?.[1]);
  if (pid) rig.extraPids.push(pid);
  await until('mining again', async () => (await status().catch(() => null))?.state === 'mining', 60_000);
  term.type('');
  await term.waitFor(/rack7-m1> \s*$/, 10_000);
});

test('kabosu console on the local terminal: login, colour on a colour TERM, idle timeout logs out and ends it', async () => {
  const local = new TmuxTerminal('local', `env TERM=xterm-256color ${process.execPath} ${bin} console --config ${cfgPath} --data-dir ${dataDir} --idle-timeout 3`);
  try {
    await local.waitFor(/password: \s*$/, 20_000);
    local.type(PASSWORD);
    await local.waitFor(/rack7-m1> \s*$/, 10_000);
    local.type('status');
    await local.waitFor(/mining[\s\S]*rack7-m1> \s*$/, 10_000, 'rack7-m1> status');
    // colour: the state is green on xterm (SGR 32), never on the dumb serial line
    assert.match(local.tmux(['capture-pane', '-p', '-e', '-t', 't']), /\x1b\[32m\s*mining/);
    assert.not.match(term.tmux(['capture-pane', '-p', '-e', '-S', '-20000', '-t', 't']), /\x1b\[3[12]m/);
    await local.waitFor(/idle for 3 s: logged out/, 10_000);
    // the process ends (under c8 its exit writes a coverage profile: slow on a loaded machine)
    const pid = Number(local.tmux(['display', '-p', '-t', 't', '#{pane_pid}']).trim());
    try {
      await until('the local console to exit', () => local.tmux(['display', '-p', '-t', 't', '#{pane_dead}']).trim() === '1', 40_000);
    } catch (err) {
      const ps = spawnSync('ps', ['-o', 'pid,stat,wchan:20,etime,cmd', '-p', String(pid)], { encoding: 'utf8' }).stdout;
      const stack = spawnSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' }).stdout.split('\n').filter((l) => /State|Threads/.test(l)).join(' ');
      throw new Error(`${(err as Error).message}\n${ps}\n${stack}`);
    }
  } finally {
    local.kill();
  }
});

test('reboot powers the boards off first; factory-reset needs the typed word, erases secrets and the password', async () => {
  term.type('reboot');
  await term.waitFor(/type yes to confirm: \s*$/);
  term.type('yes');
  await term.waitFor(/rebooting/, 15_000, 'rack7-m1> reboot');
  assert.ok(existsSync(rebooted));
  assert.is((await status()).state, 'paused');
  assert.ok((await status()).thermal.interlock.armed);
  term.type('factory-reset');
  await term.waitFor(/type factory-reset to confirm: \s*$/);
  term.type('yes');
  await term.waitFor(/not confirmed; nothing done/, 5000, 'rack7-m1> factory-reset');
  assert.ok(existsSync(join(dataDir, 'admin-password.json')));
  term.type('factory-reset');
  await term.waitFor(/type factory-reset to confirm: \s*$/, 5000, 'not confirmed');
  term.type('factory-reset');
  await term.waitFor(/new admin password: \s*$/, 15_000, 'to confirm: factory-reset');
  assert.not.ok(existsSync(join(dataDir, 'admin-password.json')));
  assert.not.ok(existsSync(deviceKeyPath(dataDir)), 'the device key survived');
  assert.equal(JSON.parse(readFileSync(cfgPath, 'utf8')), { version: 1 });
});

test.run();
