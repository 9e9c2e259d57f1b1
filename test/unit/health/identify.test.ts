import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/hal/clock';
import { createSimMiner } from '../../../src/sim';
import { HealthComponent } from '../../../src/health/healthComponent';
import { rejectsWith } from '../../helpers/rejects';

test('identify blinks the LEDs alternately for the asked time, then leaves green on; bad input is a typed error', async () => {
  const clock = new VirtualClock();
  const sim = createSimMiner({ boardId: 'l3plus', seed: 3, clock, pow: 'scrypt-sim' });
  const dir = mkdtempSync(join(tmpdir(), 'kbs-ident-'));
  const led = sim.hal.gpio.led as unknown as { red: { level: 0 | 1 }; green: { level: 0 | 1 } };
  const h = new HealthComponent({
    clock,
    log: pino({ level: 'silent' }),
    dataDir: dir,
    ports: {
      chains: () => [],
      actions: { reinitChain: async () => false, setChipFreq: async () => undefined, disableChip: async () => undefined, powerOffBoard: async () => undefined },
      hardware: () => ({ hal: sim.hal, board: sim.board, simulated: true }),
      power: () => undefined,
      chainFreqMHz: () => null,
      raise: () => undefined,
    },
  });
  try {
    assert.match(await h.identify(2), /2 s/);
    const seen = new Set<string>();
    for (let i = 0; i < 7; i++) {
      await clock.runFor(250);
      seen.add(`${led.green.level}${led.red.level}`);
    }
    assert.ok(seen.has('10') && seen.has('01'), [...seen].join());
    await clock.runFor(2000);
    assert.equal([led.green.level, led.red.level], [1, 0]);
    await rejectsWith(h.identify(0), 'KBS_E_HEALTH_IDENTIFY');
    await rejectsWith(h.identify(Number.NaN), 'KBS_E_HEALTH_IDENTIFY');
    await rejectsWith(h.identify(601), 'KBS_E_HEALTH_IDENTIFY');
  } finally {
    await h.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
