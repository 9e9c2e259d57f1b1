import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DaemonControl } from '../../../src/app/control';
import { rejectsWith } from '../../helpers/rejects';
import type { DaemonStatus } from '../../../src/core/minerApi';
import { devConfig } from '../../../src/app/devConfig';
import { validateConfigData } from '../../../src/config';

function control(parts: Partial<ConstructorParameters<typeof DaemonControl>[0]> = {}): DaemonControl {
  const cfg = validateConfigData(devConfig(), 'dev').config;
  return new DaemonControl({ status: () => ({ state: 'mining' }) as DaemonStatus, config: () => cfg, ...parts });
}

test('a command whose part is missing rejects with KBS_E_NOT_AVAILABLE', async () => {
  const c = control();
  await rejectsWith(c.setFanMode('manual', 50), 'KBS_E_NOT_AVAILABLE');
  await rejectsWith(c.switchPool('x'), 'KBS_E_NOT_AVAILABLE');
});

test('a plugged-in part is called with the arguments', async () => {
  const seen: unknown[] = [];
  const c = control({ setFanMode: async (m, d) => (seen.push([m, d]), 'ok') });
  assert.is(await c.setFanMode('manual', 40), 'ok');
  assert.equal(seen, [['manual', 40]]);
});

test('events are kept (bounded) and a throwing consumer does not stop the producer', () => {
  const c = control();
  c.events.on('event', () => {
    throw new Error('consumer broke');
  });
  for (let i = 0; i < 600; i++) c.raise({ at_ms: i, severity: 'info', source: 't', kind: 'k', message: `m${i}` });
  const recent = c.recentEvents(1000);
  assert.is(recent.length, 500);
  assert.is(recent[recent.length - 1].message, 'm599');
  assert.is(c.consumerErrors, 600);
});

test('the redacted config hides secrets', () => {
  const cfg = validateConfigData({ ...devConfig(), pools: [{ name: 'p', url: 'stratum+tcp://h:1', user: 'u', password: 'hunter2-secret' }] }, 'dev').config;
  const c = new DaemonControl({ status: () => ({}) as DaemonStatus, config: () => cfg });
  const text = JSON.stringify(c.redactedConfig());
  assert.not.match(text, /hunter2/);
  assert.match(text, /"user":"u"/);
});

test.run();
