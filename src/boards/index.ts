/**
 * The one owner of the hash-board hardware: `boardsBackendFor(cfg)` is the only place that
 * switches on `hashboards.backend`. It opens the hardware before the components are built and
 * returns one value (HashBoards) the components receive.
 */
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import type { Clock } from '../hal/types';
import type { HashBoards, NoBoards } from './types';

export type { HashBoards, OpenBoards, NoBoards, BoardsBackendName } from './types';

export interface BoardsContext {
  clock: Clock;
  log: Logger;
  dataDir: string;
}

/**
 * Opens the configured backend. Never throws: a backend that cannot open gives a NoBoards value
 * (the daemon runs without boards, says why in status, and keeps every board off).
 */
export async function boardsBackendFor(cfg: KabosuConfig, ctx: BoardsContext): Promise<HashBoards> {
  const hb = cfg.hashboards;
  try {
    switch (hb.backend) {
      case 'sim': {
        const { openSimBoards } = require('./sim') as typeof import('./sim');
        return await openSimBoards(cfg, { clock: ctx.clock, log: ctx.log.child({ backend: 'sim' }), dataDir: ctx.dataDir });
      }
      case 'sim-remote': {
        const { openSimRemoteBoards } = require('./simRemote') as typeof import('./simRemote');
        return await openSimRemoteBoards(cfg, ctx.log.child({ backend: 'sim-remote' }));
      }
      case 'linux': {
        const { openLinuxBoards } = require('./linux') as typeof import('./linux');
        return await openLinuxBoards(cfg, ctx.log.child({ backend: 'linux' }));
      }
    }
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    ctx.log.error({ err: error, backend: hb.backend }, 'hash boards could not be opened: running without them, boards off');
    return noBoards(cfg, noteFor(hb.backend, error), error);
  }
}

function noteFor(backend: string, err: Error): string {
  if (backend === 'sim-remote') return 'cannot reach the simulator process (hashboards.simRemote): no hash boards (see the log)';
  if (backend === 'sim') return 'simulated boards failed to start: no hash boards (see the log)';
  return `Linux hardware could not be opened: ${err.message}: no hash boards`;
}

/** No boards, with the reason (also what a test or a tool passes when it needs none). */
export function noBoards(cfg: KabosuConfig, note: string, error: Error = new Error(note)): NoBoards {
  const hb = cfg.hashboards;
  const pow = hb.backend === 'sim' ? hb.sim.pow : hb.backend === 'sim-remote' ? hb.simRemote.pow : hb.linux.pow;
  return {
    available: false, backend: hb.backend, model: hb.model, pow, simulated: hb.backend !== 'linux' || hb.linux.pow === 'scrypt-sim', hostPacedScrypt: false,
    interlockWorker: { unavailable: `no hash boards (${note})` }, note, error, close: async () => undefined,
  };
}
