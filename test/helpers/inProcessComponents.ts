import { buildComponents } from '../../src/app/components';
import { boardsBackendFor } from '../../src/boards';
import { DaemonControl } from '../../src/app/control';
import type { KabosuConfig } from '../../src/config';
import { createLogRoot } from '../../src/core/log';
import type { DaemonStatus } from '../../src/core/minerApi';
import { RealClock } from '../../src/hal/clock';

/**
 * The hash boards opened and the daemon's components built in this process, as `startDaemon` builds them (real clock,
 * a log root at KABOSU_TEST_LOG or silent, the control surface), for tests that reach inside
 * a component the daemon as a process would hide.
 */
export async function buildInProcess(config: KabosuConfig, dataDir: string) {
  const clock = new RealClock();
  const logRoot = createLogRoot({ level: (process.env.KABOSU_TEST_LOG as 'info' | undefined) ?? 'silent' });
  let built: ReturnType<typeof buildComponents> | undefined;
  const status = (): DaemonStatus => built!.status({ version: '0.0.0', uptimeS: 1, deviceId: 't', components: [], nowMs: clock.now() });
  const control = new DaemonControl({ status, config: () => config, chips: () => built!.chips(clock.now()) });
  const boards = await boardsBackendFor(config, { clock, log: logRoot.child('boards'), dataDir });
  built = buildComponents({ config, clock, logRoot, dataDir, control, boards });
  return { clock, logRoot, built, status, control, boards, sim: boards.available ? boards.sim : undefined };
}
