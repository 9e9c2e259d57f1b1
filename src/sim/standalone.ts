/**
 * A stand-alone simulator process (`kabosu sim run`): builds the miner on the real clock, starts
 * physics, applies an optional scenario, serves the control API, and reports what a fleet tool
 * needs (control address, per-chain PTY paths). Stops on the abort signal.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { KabosuError } from '../core/errors';
import { RealClock } from '../hal/clock';
import type { ChainFactory } from './chainSeam';
import { RemoteHalServer } from '../hal/remote/server';
import { SimControlServer } from './control/server';
import type { ListenOn } from './control/server';
import { parseScenario } from './faults/faultSpec';
import { createSimMiner } from './miner';
import type { SimMiner } from './miner';

export interface StandaloneOptions {
  boardId: string;
  seed: number;
  pty: boolean;
  listen: ListenOn;
  ambientC: number;
  timeScale: number;
  pow: 'scrypt' | 'scrypt-sim';
  scenarioPath?: string;
  /** Serve the miner's I2C/GPIO/fans to another process: 'unix:/path' or 'HOST:PORT' (hal/remote). */
  hal?: string;
  chainFactory?: ChainFactory;
  logger?: Logger;
}

export interface StandaloneInfo {
  board: string;
  seed: number;
  control: string;
  transport: 'stream' | 'pty';
  ptys: string[];
  /** The remote-hal address (when --hal was given). */
  hal?: string;
}

export interface RunningSim {
  info: StandaloneInfo;
  miner: SimMiner;
  stop(): Promise<void>;
}

export async function startStandalone(o: StandaloneOptions): Promise<RunningSim> {
  const steps = o.scenarioPath ? parseScenario(readJson(o.scenarioPath)) : [];
  const miner = createSimMiner({
    boardId: o.boardId,
    seed: o.seed,
    clock: new RealClock(),
    transport: o.pty ? 'pty' : 'stream',
    ambientC: o.ambientC,
    timeScale: o.timeScale,
    pow: o.pow,
    chainFactory: o.chainFactory,
    logger: o.logger,
  });
  const server = new SimControlServer(miner, o.logger);
  let control: string;
  try {
    control = await server.listen(o.listen);
  } catch (e) {
    await miner.stop();
    throw new KabosuError('KBS_E_SIM_LISTEN', `cannot listen for the control API: ${(e as Error).message}`, { hint: 'pick another --control port or socket path', cause: e });
  }
  let halServer: RemoteHalServer | null = null;
  let hal: string | undefined;
  if (o.hal) {
    halServer = new RemoteHalServer(miner.hal, o.logger);
    try {
      hal = await halServer.listen(o.hal);
    } catch (e) {
      await server.close();
      await miner.stop();
      throw new KabosuError('KBS_E_SIM_LISTEN', `cannot listen for the remote hal: ${(e as Error).message}`, { hint: 'pick another --hal socket path or port', cause: e });
    }
  }
  miner.start();
  if (steps.length) miner.control.schedule(steps);
  return {
    info: { board: miner.board.id, seed: o.seed, control, transport: o.pty ? 'pty' : 'stream', ptys: miner.hal.ptyPaths, ...(hal ? { hal } : {}) },
    miner,
    stop: async () => {
      await halServer?.close();
      await server.close();
      await miner.stop();
    },
  };
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new KabosuError('KBS_E_SIM_SCENARIO', `cannot read scenario ${path}: ${(e as Error).message}`, { hint: 'a scenario is JSON: {"steps": [{"at_ms": 0, "fault": "...", "target": {...}}]}', cause: e });
  }
}
