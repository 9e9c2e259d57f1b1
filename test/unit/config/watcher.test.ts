import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ConfigWatcher, type ConfigChanged, type ConfigRejected } from '../../../src/config/watcher';
import { checkConfigText } from '../../../src/config/load';
import { VirtualClock } from '../../../src/hal/clock';

const log = pino({ level: 'silent' });

function rig(initialText = '{"version":1}') {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-watch-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, initialText);
  const clock = new VirtualClock();
  let fire: (name: string | null) => void = () => {};
  const w = new ConfigWatcher({
    configPath,
    initial: checkConfigText(initialText, configPath).config,
    clock,
    log,
    load: (t) => checkConfigText(t, configPath),
    debounceMs: 200,
    watchDir: (_d, on) => {
      fire = on;
      return { close() {} };
    },
  });
  const changed: ConfigChanged[] = [];
  const rejected: ConfigRejected[] = [];
  w.on('changed', (c) => changed.push(c));
  w.on('rejected', (r) => rejected.push(r));
  w.start();
  return { dir, configPath, clock, w, changed, rejected, fire: (n: string | null = 'config.json') => fire(n) };
}

test('a valid change emits changed with the sections, after the debounce', () => {
  const r = rig();
  writeFileSync(r.configPath, '{"version":1,"thermal":{"targetC":70},"device":{"name":"n"}}');
  r.fire();
  r.clock.advance(199);
  assert.is(r.changed.length, 0);
  r.clock.advance(1);
  assert.is(r.changed.length, 1);
  const c = r.changed[0];
  assert.equal(c.sections.sort(), ['device', 'thermal']);
  assert.equal(c.reloadable, ['thermal']);
  assert.equal(c.needsRestart, ['device']);
  assert.is(c.config.thermal.targetC, 70);
  assert.is(c.previous.thermal.targetC, 75);
  assert.is(r.w.config.thermal.targetC, 70);
  rmSync(r.dir, { recursive: true });
});

test('a burst of events (editor temp + rename) re-reads once', () => {
  const r = rig();
  const tmp = join(r.dir, '.config.json.swp');
  writeFileSync(tmp, '{"version":1,"logging":{"level":"debug"}}');
  r.fire('.config.json.swp');
  r.clock.advance(50);
  renameSync(tmp, r.configPath);
  r.fire('config.json');
  r.clock.advance(50);
  r.fire(null);
  r.clock.advance(1000);
  assert.is(r.changed.length, 1);
  assert.equal(r.changed[0].sections, ['logging']);
  rmSync(r.dir, { recursive: true });
});

test('events for other files in the directory are ignored', () => {
  const r = rig();
  writeFileSync(r.configPath, '{"version":1,"logging":{"level":"debug"}}');
  r.fire('other.json');
  r.clock.advance(1000);
  assert.is(r.changed.length, 0);
  rmSync(r.dir, { recursive: true });
});

test('an invalid change is rejected with every error and the running config stays', () => {
  const r = rig();
  writeFileSync(r.configPath, '{"version":1,"thermal":{"targetC":"hot"},"zz":1}');
  r.fire();
  r.clock.advance(300);
  assert.is(r.changed.length, 0);
  assert.is(r.rejected.length, 1);
  assert.is(r.rejected[0].errors.length, 2);
  assert.ok(r.rejected[0].report.includes('/thermal/targetC'));
  assert.is(r.w.config.thermal.targetC, 75);
  // Fixing it afterwards is applied.
  writeFileSync(r.configPath, '{"version":1,"thermal":{"targetC":71}}');
  r.fire();
  r.clock.advance(300);
  assert.is(r.changed.length, 1);
  assert.is(r.changed[0].previous.thermal.targetC, 75);
  rmSync(r.dir, { recursive: true });
});

test('non-JSON and a file saved unchanged are handled: rejected, then nothing', () => {
  const r = rig();
  writeFileSync(r.configPath, '{"version":1,');
  r.fire();
  r.clock.advance(300);
  assert.is(r.rejected.length, 1);
  assert.ok(r.rejected[0].errors[0].message.startsWith('not valid JSON'));
  writeFileSync(r.configPath, '{"version": 1}');
  r.fire();
  r.clock.advance(300);
  assert.is(r.changed.length, 0, 'same content in other formatting is no change');
  assert.is(r.w.check(), 'unchanged');
  rmSync(r.dir, { recursive: true });
});

test('a file briefly missing (mid-rename) is not a rejection', () => {
  const r = rig();
  rmSync(r.configPath);
  r.fire();
  r.clock.advance(300);
  assert.is(r.rejected.length, 0);
  rmSync(r.dir, { recursive: true });
});

test('stop cancels a pending re-read', () => {
  const r = rig();
  writeFileSync(r.configPath, '{"version":1,"logging":{"level":"debug"}}');
  r.fire();
  r.w.stop();
  assert.is(r.clock.pending, 0);
  rmSync(r.dir, { recursive: true });
});

test('the real fs.watch sees an editor-style temp + rename save', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-watch-real-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, '{"version":1}');
  const clock = new VirtualClock();
  const w = new ConfigWatcher({ configPath, initial: checkConfigText('{"version":1}', configPath).config, clock, log, load: (t) => checkConfigText(t, configPath), debounceMs: 100 });
  w.start();
  writeFileSync(join(dir, 'tmp'), '{"version":1,"power":{"limitW":1500}}');
  renameSync(join(dir, 'tmp'), configPath);
  // Wait (real time) for the kernel event to reach the watcher, then run the debounce virtually.
  for (let i = 0; i < 100 && clock.pending === 0; i++) await new Promise((res) => setImmediate(res));
  for (let i = 0; i < 50 && clock.pending === 0; i++) await new Promise((res) => setTimeout(res, 10));
  const got = new Promise<ConfigChanged>((res) => w.once('changed', res));
  clock.advance(100);
  const c = await got;
  assert.equal(c.sections, ['power']);
  w.stop();
  rmSync(dir, { recursive: true });
});

test.run();
