import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { buildComponents } from '../../../src/app/components';
import { noBoards } from '../../../src/boards';
import { DaemonControl } from '../../../src/app/control';
import { Lifecycle } from '../../../src/app/lifecycle';
import { DAEMON_RELOADS, reloadOutcome } from '../../../src/app/reloadOutcome';
import type { Component } from '../../../src/app/component';
import { validateConfigText } from '../../../src/config/validate';
import { CONFIG_SCHEMA, RELOADABLE_SECTIONS, isReloadable } from '../../../src/config/schema';
import { createLogRoot } from '../../../src/core/log';
import type { DaemonStatus } from '../../../src/core/minerApi';
import { VirtualClock } from '../../../src/hal/clock';

/** The daemon's components for a config that turns every optional component on (built, never started: the ports are never opened). */
function everyComponent(): Component[] {
  const dir = mkdtempSync(join(tmpdir(), 'kabosu-owners-'));
  try {
    const { config } = validateConfigText(JSON.stringify({
      version: 1, mining: { enabled: true },
      pools: [{ name: 'a', url: 'stratum+tcp://127.0.0.1:3333', user: 'w', password: 'x' }],
      hashboards: { backend: 'sim', model: 'l3plus', sim: { pow: 'scrypt-sim' } },
      testPool: { enabled: true, port: 13333, pow: 'scrypt-sim' },
      tuning: { target: 'power', powerW: 600 },
      telemetry: { mqtt: { enabled: true, broker: { enabled: true, port: 11883 } } },
      api: { http: { enabled: true, port: 18080 }, cgminer: { enabled: true, port: 14028 } },
    }), 'test');
    const control = new DaemonControl({ status: () => ({}) as DaemonStatus, config: () => config });
    // No hardware needed to list the owners: the boards value of a daemon without boards.
    return buildComponents({ config, clock: new VirtualClock(), logRoot: createLogRoot({ level: 'silent' }), dataDir: dir, control, boards: noBoards(config, 'not opened: the test lists components') }).components as Component[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every x-reloadable config section has an owner: a daemon component that declares it and can reload, or the daemon (logging)', () => {
  const comps = everyComponent();
  const owners = new Map<string, string[]>();
  for (const c of comps) for (const s of c.reloads ?? []) owners.set(s, [...(owners.get(s) ?? []), c.name]);
  for (const s of DAEMON_RELOADS) owners.set(s, [...(owners.get(s) ?? []), 'daemon']);
  assert.ok(RELOADABLE_SECTIONS.length >= 5, RELOADABLE_SECTIONS.join(','));
  const unowned = RELOADABLE_SECTIONS.filter((s) => !owners.has(s));
  assert.equal(unowned, [], `reloadable sections nobody applies: ${unowned.join(', ')} (owners: ${JSON.stringify(Object.fromEntries(owners))})`);
  for (const c of comps) {
    if (!c.reloads?.length) continue;
    assert.type(c.reload, 'function', `${c.name} declares ${c.reloads.join(', ')} but has no reload()`);
    for (const s of c.reloads) assert.ok(isReloadable(s), `${c.name} owns ${s}, which the schema marks restart-only`);
  }
  // x-reloadable is set per top-level section only: no nested key claims to reload on its own.
  const nested = JSON.stringify(Object.values(CONFIG_SCHEMA.properties).map((p) => (p as { properties?: unknown }).properties ?? {}));
  assert.not.match(nested, /x-reloadable/);
});

test('a changed reloadable section is applied only when its owner applied it; no owner or a refusal is "not applied until restart"', () => {
  const ok = { applied: true };
  const o = reloadOutcome(['telemetry', 'thermal', 'logging', 'device', 'api'], isReloadable, [
    { name: 'thermal', reloads: ['thermal'], result: ok },
    { name: 'http-api', reloads: ['api'], result: ok },
    { name: 'cgminer-api', reloads: ['api'], result: { applied: false, needsRestart: 'port' } },
    { name: 'history', reloads: [], result: ok },
  ]);
  assert.equal(o.applied, ['thermal', 'logging']);
  assert.equal(o.notApplied, ['telemetry', 'device', 'api']);
  assert.equal(o.appliedBy, ['thermal', 'http-api']);
  assert.ok(o.reasons.includes('telemetry: no running component applies it'), o.reasons.join('; '));
  assert.ok(o.reasons.includes('cgminer-api: port'));
});

test('Lifecycle.reload with the changed sections asks only their running owners', async () => {
  const lc = new Lifecycle(pino({ level: 'silent' }), new VirtualClock());
  const asked: string[] = [];
  const comp = (name: string, reloads: string[]): Component<{ n: number }> => ({ name, critical: false, reloads, start: async () => {}, stop: async () => {}, reload: () => (asked.push(name), { applied: true }) });
  lc.add(comp('t', ['thermal']));
  lc.add(comp('m', ['mining', 'pools']));
  await lc.start();
  const r = await lc.reload({ n: 1 }, ['pools']);
  assert.equal(asked, ['m']);
  assert.equal(Object.keys(r), ['m']);
  assert.equal(lc.reloadOwners(), [{ name: 't', reloads: ['thermal'] }, { name: 'm', reloads: ['mining', 'pools'] }]);
});

test.run();
