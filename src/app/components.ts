import type { Logger } from 'pino';
import type { Clock } from '../hal/types';
import type { KabosuConfig } from '../config';
import type { LogRoot } from '../core/log';
import type { Component } from './component';
import type { ComponentStatus } from './lifecycle';
import type { DaemonStatus, HashrateFigure } from './status';
import { createSimMiner, type SimMiner } from '../sim';

/**
 * Builds the components the config asks for, in start order: the hash boards (simulated or
 * Linux hardware), then what feeds and watches them. Each later issue adds its component here.
 */
export interface BuildContext {
  config: KabosuConfig;
  clock: Clock;
  logRoot: LogRoot;
  dataDir: string;
}

export interface StatusInput {
  version: string;
  uptimeS: number;
  deviceId: string;
  components: ComponentStatus[];
  nowMs: number;
}

export interface BuiltComponents {
  components: Component<KabosuConfig>[];
  status(i: StatusInput): DaemonStatus;
  summary(): string;
}

const NO_RATE: HashrateFigure = { hps: 0, rel_err: null };

/** The simulated hash boards: a product feature (`npm start`, demos, CI), not a test double. */
class SimBoardsComponent implements Component<KabosuConfig> {
  readonly name = 'sim-boards';
  readonly critical = false;
  miner?: SimMiner;
  constructor(
    private readonly ctx: BuildContext,
    private readonly log: Logger,
  ) {}
  async start(): Promise<void> {
    const hb = this.ctx.config.hashboards;
    this.miner = createSimMiner({
      boardId: hb.model,
      seed: hb.sim.seed,
      pow: hb.sim.pow,
      clock: this.ctx.clock,
      transport: hb.sim.transport,
      ambientC: hb.sim.ambientC,
      timeScale: hb.sim.timeScale,
      logger: this.log,
    });
    this.miner.start();
  }
  async stop(): Promise<void> {
    await this.miner?.stop();
  }
}

export function buildComponents(ctx: BuildContext): BuiltComponents {
  const hb = ctx.config.hashboards;
  const components: Component<KabosuConfig>[] = [];
  let sim: SimBoardsComponent | undefined;
  if (hb.backend === 'sim') {
    sim = new SimBoardsComponent(ctx, ctx.logRoot.child('sim'));
    components.push(sim);
  }
  const boardsNote = (): string | undefined => {
    if (hb.backend === 'linux') return 'Linux hardware backend is not built yet: no hash boards';
    if (!sim?.miner) return 'simulated boards failed to start: no hash boards (see the log)';
    return undefined;
  };
  return {
    components,
    summary: () => {
      const note = boardsNote();
      return note ? `running with no hash boards: ${note}` : `running: ${hb.backend} ${hb.model}`;
    },
    status: (i) => {
      const note = boardsNote();
      return {
        version: i.version,
        uptime_s: i.uptimeS,
        state: note ? 'no-hashboards' : 'waiting-for-work',
        device_id: i.deviceId,
        hashboards: { backend: hb.backend, model: hb.model, simulated: hb.backend === 'sim', pow: hb.backend === 'sim' ? hb.sim.pow : 'scrypt', ...(note ? { note } : {}) },
        hashrate: { chips: { '5s': NO_RATE, '1m': NO_RATE, '15m': NO_RATE, total: NO_RATE }, pool_accepted: null },
        shares: { submitted: 0, accepted: 0, rejected: {}, not_submitted: {} },
        pools: [],
        chains: [],
        components: i.components,
      };
    },
  };
}
