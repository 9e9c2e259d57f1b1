import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { DaemonControl } from '../../../src/app/control';
import { devConfig } from '../../../src/app/devConfig';
import { MiningComponent } from '../../../src/app/mining';
import { TuningComponent } from '../../../src/app/tuning';
import { validateConfigData } from '../../../src/config';
import type { KabosuConfig } from '../../../src/config';
import type { DaemonStatus } from '../../../src/core/minerApi';
import { VirtualClock } from '../../../src/hal/clock';
import { rejectsWith } from '../../helpers/rejects';
import { noBoards } from '../../../src/boards';

const log = pino({ level: 'silent' });

function setup(extra: Record<string, unknown> = {}): { control: DaemonControl; tuning: TuningComponent; cfg: KabosuConfig } {
  const cfg = validateConfigData({ ...devConfig(), ...extra }, 'test').config;
  const control = new DaemonControl({ status: () => ({}) as DaemonStatus, config: () => cfg });
  const clock = new VirtualClock();
  const boards = noBoards(cfg, 'no boards in this test');
  const mining = new MiningComponent({ config: cfg, clock, log, boards });
  const tuning = new TuningComponent({ config: cfg, clock, log, dataDir: '/nonexistent', control, mining, boards, frequencies: () => undefined });
  return { control, tuning, cfg };
}

test('without a pipeline tuning stays off: status off, commands answer NOT_AVAILABLE with a hint', async () => {
  const { control, tuning } = setup({ tuning: { target: 'power', powerW: 650 } });
  await tuning.start();
  assert.equal(tuning.status(), { target: 'stock', state: 'off', expected: null });
  await rejectsWith(control.setPowerTarget(600), 'KBS_E_NOT_AVAILABLE');
  await rejectsWith(control.tuningReport(), 'KBS_E_NOT_AVAILABLE');
  await tuning.stop();
});

test('a DaemonControl nobody plugged tuning into rejects the report with NOT_AVAILABLE', async () => {
  const cfg = validateConfigData(devConfig(), 'test').config;
  const c = new DaemonControl({ status: () => ({}) as DaemonStatus, config: () => cfg });
  await rejectsWith(c.tuningReport(), 'KBS_E_NOT_AVAILABLE');
});

test.run();
