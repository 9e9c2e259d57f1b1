import type { Logger } from 'pino';
import type { KabosuConfig } from '../config';
import type { BoardDefinition } from '../config/boardSchema';
import { loadBoard } from '../config/boardLoader';
import { KabosuError } from '../core/errors';
import type { MinerHal, Uart } from '../hal/types';
import { connectRemoteHal, type RemoteHalObjects } from '../hal/remote/client';
import { LinuxUart } from '../hal/linux/uart';
import type { Component } from './component';

/**
 * Hash boards of a simulator running in another process (`kabosu sim run --pty --hal ADDR`):
 * the chains' UARTs are its PTYs opened with serialport exactly as a controller's ttyS ports,
 * and I2C, GPIO and fans go through the remote hal. The same firmware then runs as on hardware,
 * in its own process, so its CPU and memory can be measured alone.
 */
/** Chips come out of reset at 115200 baud (chips.md §8); the driver switches later. */
const POWER_ON_BAUD = 115200;

export class RemoteBoardsComponent implements Component<KabosuConfig> {
  readonly name = 'remote-boards';
  readonly critical = false;
  hal?: MinerHal;
  board?: BoardDefinition;
  private remote?: RemoteHalObjects;
  private uarts: LinuxUart[] = [];

  constructor(
    private readonly config: KabosuConfig,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const hb = this.config.hashboards;
    const remote = await connectRemoteHal(hb.simRemote.hal, { timeoutMs: hb.simRemote.timeoutMs });
    this.remote = remote;
    const d = remote.describe;
    if (d.board !== hb.model) {
      await remote.close();
      throw new KabosuError('KBS_E_BOARDS_MISMATCH', `the simulator at ${hb.simRemote.hal} runs board '${d.board}' but the config says hashboards.model '${hb.model}'`, {
        hint: 'set hashboards.model to the simulator\'s board or start the simulator with --board',
      });
    }
    if (d.ptys.length !== d.chains) {
      await remote.close();
      throw new KabosuError('KBS_E_BOARDS_NO_PTY', `the simulator at ${hb.simRemote.hal} has no PTYs for its chains`, { hint: 'start it with `kabosu sim run --pty --hal ADDR`' });
    }
    const board = loadBoard(hb.model);
    for (const p of d.ptys) this.uarts.push(await LinuxUart.open(p, POWER_ON_BAUD));
    this.board = board;
    this.hal = { uarts: this.uarts as Uart[], i2c: remote.i2c, sensorBuses: remote.sensorBuses, gpio: remote.gpio, fans: remote.fans };
    this.log.info({ hal: hb.simRemote.hal, ptys: d.ptys, board: d.board }, 'remote simulated boards attached');
  }

  async stop(): Promise<void> {
    for (const u of this.uarts) await u.close().catch(() => undefined);
    this.uarts = [];
    await this.remote?.close();
  }
}
