import { buildComponents } from '../../src/app/components';
import { DaemonControl } from '../../src/app/control';
import type { KabosuConfig } from '../../src/config';
import { createLogRoot } from '../../src/core/log';
import type { DaemonStatus } from '../../src/core/minerApi';
import { RealClock } from '../../src/hal/clock';

/**
 * The daemon's components built in this process, as `startDaemon` builds them (real clock,
 * a log root at KABOSU_TEST_LOG or silent, the control surface), for tests that reach inside
 * a component the daemon as a process would hide.
 */
export function buildInProcess(config: KabosuConfig, dataDir: string) {
  const clock = new RealClock();
  const logRoot = createLogRoot({ level: (process.env.KABOSU_TEST_LOG as 'info' | undefined) ?? 'silent' });
  let built: ReturnType<typeof buildComponents> | undefined;
  const status = (): DaemonStatus => built!.status({ version: '0.0.0', uptimeS: 1, deviceId: 't', components: [], nowMs: clock.now() });
  const control = new DaemonControl({ status, config: () => config, chips: () => built!.chips(clock.now()) });
  built = buildComponents({ config, clock, logRoot, dataDir, control });
  return { clock, logRoot, built, status, control };
}
