/**
 * Backend 'sim': the simulated hash boards in this process, a product feature (`npm start`,
 * demos, CI), not a test double. Its control API (true state, faults, oracle) listens on
 * `<dataDir>/sim.sock` (mode 0600) for tests, benchmarks and fleet-tool demos:
 * `kabosu sim state --control unix:<dataDir>/sim.sock`. The firmware itself never calls it.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import { KabosuError } from '../core/errors';
import type { Clock, MinerHal } from '../hal/types';
import type { SimMiner } from '../sim';
import type { OpenBoards } from './types';

export async function openSimBoards(cfg: KabosuConfig, o: { clock: Clock; log: Logger; dataDir: string }): Promise<OpenBoards> {
  const hb = cfg.hashboards;
  // The simulator loads only when the config asks for it (lazy require): a firmware on real or
  // remote boards does not carry it in memory (pipeline-remote bench).
  const { createSimMiner, SimControlServer } = require('../sim') as typeof import('../sim');
  const miner = createSimMiner({
    boardId: hb.model, seed: hb.sim.seed, pow: hb.sim.pow, clock: o.clock, transport: hb.sim.transport,
    ambientC: hb.sim.ambientC, timeScale: hb.sim.timeScale, logger: o.log,
  });
  miner.start();
  const opened: { close(): Promise<void> }[] = [];
  let control: InstanceType<typeof SimControlServer> | undefined;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await control?.close();
    for (const u of opened.splice(0)) await u.close().catch(() => undefined);
    await miner.stop();
  })());
  try {
    const hal = await openSimUarts(miner, hb.sim.transport, opened);
    control = new SimControlServer(miner, o.log);
    const address = await control.listen({ socketPath: join(o.dataDir, 'sim.sock') });
    o.log.info({ control: address }, 'simulator control API (true state, faults, oracle)');
    return simBoardsOf(miner, hb.sim.pow, { hal, close });
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Transport 'stream': the simulator's in-process UARTs. Transport 'pty': the simulator serves
 * each chain on a PTY; the firmware opens the slave with LinuxUart, as it opens /dev/ttyS* on a
 * controller (sim-remote does the same across processes). A chain the firmware cannot open is a
 * clear error, never a miner running on zero chains.
 */
async function openSimUarts(miner: SimMiner, transport: 'stream' | 'pty', opened: { close(): Promise<void> }[]): Promise<MinerHal> {
  const chains = miner.board.hashBoard.chains;
  if (transport !== 'pty') return miner.hal;
  const paths = miner.hal.ptyPaths;
  if (paths.length !== chains) {
    throw new KabosuError('KBS_E_SIM_PTY', `the simulator opened ${paths.length} chain PTYs for ${chains} chains`, { hint: 'transport "pty" needs the native addon (npm run build:native); use transport "stream" otherwise' });
  }
  const { LinuxUart } = require('../hal/linux/uart') as typeof import('../hal/linux/uart');
  const uarts = [];
  for (const p of paths) {
    const u = await LinuxUart.open(p, miner.board.hashBoard.baud);
    opened.push(u);
    uarts.push(u);
  }
  return { ...miner.hal, uarts };
}

/**
 * An in-process simulator as the boards value (its own hal unless `hal` is given; `close` stops
 * nothing unless given): also for a tool or benchmark that runs a SimMiner itself.
 */
export function simBoardsOf(miner: SimMiner, pow: 'scrypt' | 'scrypt-sim', o: { hal?: MinerHal; close?: () => Promise<void> } = {}): OpenBoards {
  return {
    available: true, backend: 'sim', model: miner.board.id, pow, simulated: true, hostPacedScrypt: pow === 'scrypt',
    interlockWorker: { unavailable: 'the in-process simulator\'s hardware lives in the main thread; a worker cannot open it (use sim-remote)' },
    board: miner.board, hal: o.hal ?? miner.hal, sim: miner, close: o.close ?? (async () => undefined),
  };
}
